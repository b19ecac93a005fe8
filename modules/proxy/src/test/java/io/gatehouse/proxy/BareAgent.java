package io.gatehouse.proxy;

import io.gatehouse.agent.AgentCredentials;
import io.gatehouse.config.HostPort;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.relay.Wire;
import io.gatehouse.relay.tunnel.Tunnel;
import io.gatehouse.relay.tunnel.TunnelDialer;
import io.gatehouse.relay.tunnel.TunnelSettings;
import io.gatehouse.relay.tunnel.TunnelStream;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's end of one tunnel and nothing else, for tests that speak the control stream
 * themselves (what the agent does not say yet): it holds a certificate for kind {@code app} from
 * the cluster CA, answers the proxy's control stream with 200 and writes what it is told to say
 * there (keeping what the proxy says), and answers every session stream {@code 200 bare}, counting
 * them. Closing it closes the tunnel, then its Vert.x.
 */
final class BareAgent implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final CompletableFuture<TunnelStream> control = new CompletableFuture<>();
  private final AtomicInteger sessions = new AtomicInteger();
  private final List<JsonObject> heard = new CopyOnWriteArrayList<>();
  private final Tunnel tunnel;

  BareAgent(ClusterCa ca, String agentId, HostPort proxy) throws Exception {
    AgentCredentials credentials =
        AgentCredentials.issue(ca, agentId, Set.of("app"), Duration.ofHours(1), new SecureRandom());
    TunnelDialer dialer =
        new TunnelDialer(
            ((VertxInternal) vertx).nettyEventLoopGroup(),
            ((VertxInternal) vertx).transport().channelFactory(false),
            credentials.clientContext(),
            TunnelSettings.DEFAULTS,
            Duration.ofSeconds(2));
    tunnel = dialer.dial(proxy, agentId, certificate -> {}, this::accept).get(20, TimeUnit.SECONDS);
  }

  private void accept(Http2StreamChannel channel) {
    ContextInternal context =
        ((VertxInternal) vertx).contextBuilder().withEventLoop(channel.eventLoop()).build();
    TunnelStream stream = Tunnel.accept(channel, context);
    stream
        .head()
        .onSuccess(
            head -> {
              if (head instanceof HttpRequest r && r.uri().equals(Wire.CONTROL_PATH)) {
                stream.writeHead(
                    new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
                RecordParser.newDelimited("\n", stream)
                    .handler(line -> heard.add(new JsonObject(line.toString())));
                control.complete(stream);
                return;
              }
              sessions.incrementAndGet();
              DefaultHttpResponse ok =
                  new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
              ok.headers().set("content-length", "4");
              stream.writeHead(ok);
              stream.write(Buffer.buffer("bare"));
              stream.end();
            });
  }

  /** Writes {@code line} (one JSON object) on the control stream, once the proxy opened it. */
  void say(String line) throws Exception {
    control.get(20, TimeUnit.SECONDS).write(Buffer.buffer(line + "\n"));
  }

  /** Every line the proxy sent on the control stream so far. */
  List<JsonObject> heard() {
    return List.copyOf(heard);
  }

  /** How many session streams the proxy opened to it. */
  int sessions() {
    return sessions.get();
  }

  @Override
  public void close() {
    tunnel.close();
    vertx.close();
  }
}
