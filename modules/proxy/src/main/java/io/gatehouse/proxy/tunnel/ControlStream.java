package io.gatehouse.proxy.tunnel;

import io.gatehouse.events.ProxyAnnouncement;
import io.gatehouse.relay.Wire;
import io.gatehouse.relay.tunnel.Tunnel;
import io.gatehouse.relay.tunnel.TunnelStream;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's side of a tunnel's control stream, {@code GET /.gatehouse/control}, opened once the
 * tunnel is up: one line of JSON per message (NDJSON). Down the stream goes the proxy set, {@code
 * {"proxies":[{"id":…,"address":…}]}}, at once and whenever it changes, so the agent keeps a tunnel
 * to every proxy.
 */
final class ControlStream {
  private static final Logger LOG = LoggerFactory.getLogger(ControlStream.class);

  private ControlStream() {}

  static void open(
      Tunnel tunnel, ContextInternal context, String proxyId, ProxyDirectory directory) {
    tunnel
        .open(context)
        .onFailure(e -> LOG.debug("no control stream to {}: {}", tunnel.peer(), e.toString()))
        .onSuccess(
            stream -> {
              HttpRequest head =
                  new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, Wire.CONTROL_PATH);
              head.headers().set(Wire.PROXY, proxyId);
              stream.writeHead(head);
              // What the agent sends back is for a later version; read it so the window stays open.
              stream.handler(b -> {});
              stream.exceptionHandler(e -> {});
              Runnable send = () -> send(stream, directory);
              directory.onChange(send);
              stream.closeFuture().onComplete(v -> directory.removeListener(send));
              send.run();
            });
  }

  private static void send(TunnelStream stream, ProxyDirectory directory) {
    JsonArray proxies = new JsonArray();
    for (ProxyAnnouncement p : directory.current()) {
      proxies.add(new JsonObject().put("id", p.getProxyId()).put("address", p.getAddress()));
    }
    stream.write(Buffer.buffer(new JsonObject().put("proxies", proxies).encode() + "\n"));
  }
}
