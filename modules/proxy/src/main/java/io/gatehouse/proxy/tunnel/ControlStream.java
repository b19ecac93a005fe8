package io.gatehouse.proxy.tunnel;

import io.gatehouse.events.ProxyAnnouncement;
import io.gatehouse.pki.AgentCsr;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.Pem;
import io.gatehouse.pki.PkiException;
import io.gatehouse.proxy.heartbeat.HeartbeatWriter;
import io.gatehouse.proxy.heartbeat.ServeLine;
import io.gatehouse.proxy.routing.TargetHealth;
import io.gatehouse.relay.Wire;
import io.gatehouse.relay.tunnel.Tunnel;
import io.gatehouse.relay.tunnel.TunnelStream;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * The proxy's side of a tunnel's control stream, {@code GET /.gatehouse/control}, opened once the
 * tunnel is up: one line of JSON per message (NDJSON), in both directions.
 *
 * <p>Down: the proxy set, {@code {"proxies":[{"id":…,"address":…}]}}, at once and whenever it
 * changes, so the agent keeps a tunnel to every proxy; renewed certificates; and, once the agent
 * asks with {@code {"watch":true}}, the resource definitions its certificate's kinds allow ({@link
 * DefinitionFeed}).
 *
 * <p>Up: {@code {"serve":{…}}} and {@code {"unserve":"kind/name"}} say what the agent serves; each
 * serve is checked against the certificate ({@link ServeLine}) and a refused one is answered with
 * {@code {"refused":"kind/name","reason":…}} and written nowhere. The health a serve carries of its
 * upstream is what routing on this proxy goes by, from the moment the line arrives. {@code
 * {"writer":true}} names this proxy the one that writes the agent's heartbeats ({@link
 * HeartbeatWriter}); {@code {"goodbye":true}} tombstones them and is answered {@code
 * {"goodbye":"done"}} once Kafka has them (or {@code {"goodbye":"failed","reason":…}}); {@code
 * {"state":"draining","sessions":N}} takes the agent out of rotation here at once (and says how
 * many sessions it still has, as the count falls); {@code {"renew":"<CSR PEM>"}} asks for a fresh
 * certificate. Down again, {@code {"drain":true}} asks the agent to drain and stop ({@code
 * gatehouse agents drain}).
 */
public final class ControlStream {
  /** How long an agent's certificate lasts, from a join or a renewal on this stream. */
  public static final Duration CERTIFICATE_LIFETIME = Duration.ofHours(24);

  private static final Logger LOG = LoggerFactory.getLogger(ControlStream.class);

  /**
   * What a control stream serves; each part may be null in tests, which then get none of it.
   *
   * @param directory the proxy set each agent is told about
   * @param ca signs renewed certificates
   * @param heartbeats writes what agents serve
   * @param definitions feeds agents' dynamic watchers
   */
  public record Services(
      ProxyDirectory directory,
      ClusterCa ca,
      HeartbeatWriter heartbeats,
      DefinitionFeed definitions) {}

  /**
   * The agent at the other end of a tunnel.
   *
   * @param id its id, as its certificate names it
   * @param kinds what the agent's certificate allows: what it may heartbeat and watch, and what a
   *     renewed certificate allows
   * @param remote the agent's address as this proxy sees it
   * @param targets where what it says of its upstreams' health is kept, by {@code kind/name}, for
   *     routing here
   */
  record Agent(String id, Set<String> kinds, String remote, Map<String, TargetHealth> targets) {}

  private final TunnelStream stream;
  private final Services services;
  private final String agentId;
  private final Set<String> kinds;
  private final Map<String, TargetHealth> targets;
  private final HeartbeatWriter.Served served;
  private final IntConsumer draining;
  private final AtomicBoolean watching = new AtomicBoolean();
  private volatile Disposable feed;

  private ControlStream(TunnelStream stream, Services services, Agent agent, IntConsumer draining) {
    this.stream = stream;
    this.draining = draining;
    this.services = services;
    this.agentId = agent.id();
    this.kinds = agent.kinds();
    this.targets = agent.targets();
    this.served =
        services.heartbeats() == null
            ? null
            : services.heartbeats().open(agent.id(), agent.remote());
  }

  /**
   * Opens the control stream on a new tunnel of {@code agent}.
   *
   * @param draining hears the agent say {@code {"state":"draining","sessions":N}}, with {@code N}
   *     (-1 when it gave no count)
   * @return the stream, once open
   */
  static Future<ControlStream> open(
      Tunnel tunnel,
      ContextInternal context,
      String proxyId,
      Services services,
      Agent agent,
      IntConsumer draining) {
    return tunnel
        .open(context)
        .onFailure(e -> LOG.debug("no control stream to {}: {}", tunnel.peer(), e.toString()))
        .map(
            stream -> {
              HttpRequest head =
                  new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, Wire.CONTROL_PATH);
              head.headers().set(Wire.PROXY, proxyId);
              stream.writeHead(head);
              stream.exceptionHandler(e -> {});
              ControlStream control = new ControlStream(stream, services, agent, draining);
              control.start();
              return control;
            });
  }

  /**
   * Asks the agent to drain and stop ({@code {"drain":true}}): it takes no new session, says {@code
   * {"state":"draining"}} on every tunnel, lets its open sessions finish (at most its {@code
   * drain_timeout}), says goodbye and exits.
   */
  void drain() {
    send(new JsonObject().put("drain", true));
  }

  private void start() {
    RecordParser.newDelimited("\n", stream).handler(line -> answer(line.toString()));
    ProxyDirectory directory = services.directory();
    Runnable send = directory == null ? null : this::sendProxies;
    if (send != null) {
      directory.onChange(send);
    }
    stream
        .closeFuture()
        .onComplete(
            v -> {
              if (send != null) {
                directory.removeListener(send);
              }
              if (served != null) {
                served.close();
              }
              Disposable f = feed;
              if (f != null) {
                f.dispose();
              }
            });
    if (send != null) {
      send.run();
    }
  }

  /** Answers one line from the agent. */
  private void answer(String line) {
    JsonObject message;
    try {
      message = new JsonObject(line);
    } catch (RuntimeException e) {
      LOG.warn("agent {} sent an unreadable control line; ignoring it", agentId);
      return;
    }
    if (message.getValue("serve") instanceof JsonObject serve) {
      serve(serve);
    } else if (message.getValue("unserve") instanceof String key) {
      targets.remove(key);
      if (served != null) {
        served.unserve(key);
      }
    } else if (Boolean.TRUE.equals(message.getValue("writer"))) {
      if (served != null) {
        served.becomeWriter();
      }
    } else if (AgentTunnels.DRAINING.equals(message.getValue("state"))) {
      draining.accept(message.getValue("sessions") instanceof Integer n && n >= 0 ? n : -1);
    } else if (Boolean.TRUE.equals(message.getValue("goodbye"))) {
      goodbye();
    } else if (Boolean.TRUE.equals(message.getValue("watch"))) {
      watch();
    } else if (message.getValue("renew") instanceof String csr) {
      renew(csr);
    }
  }

  private void serve(JsonObject serve) {
    try {
      ServeLine line = ServeLine.parse(serve, agentId, kinds);
      // Routing here follows the agent's word at once, whoever writes the heartbeat.
      if (line.health().isPresent()) {
        targets.put(line.key(), line.health().get());
      } else {
        targets.remove(line.key());
      }
      if (served != null) {
        served.serve(line);
      }
    } catch (ServeLine.Refused e) {
      String key = serve.getValue("kind") + "/" + serve.getValue("name");
      LOG.warn("agent {}: heartbeat for {} refused: {}", agentId, key, e.getMessage());
      send(new JsonObject().put("refused", key).put("reason", e.getMessage()));
    }
  }

  private void goodbye() {
    if (served == null) {
      send(new JsonObject().put("goodbye", "done"));
      return;
    }
    served
        .goodbye()
        .whenComplete(
            (v, error) ->
                send(
                    error == null
                        ? new JsonObject().put("goodbye", "done")
                        : new JsonObject()
                            .put("goodbye", "failed")
                            .put("reason", String.valueOf(error.getMessage()))));
  }

  private void watch() {
    DefinitionFeed definitions = services.definitions();
    if (definitions == null || !watching.compareAndSet(false, true)) {
      return;
    }
    feed = definitions.watch(kinds, text -> stream.write(Buffer.buffer(text)));
    if (stream.closeFuture().isComplete()) {
      feed.dispose();
    }
  }

  /**
   * {@code {"renew": "<CSR PEM>"}} (for the key it has) gets {@code {"certificate": "<leaf + CA
   * PEM>", "ca": "<CA PEM>"}}: the same id and kinds, a fresh lifetime, so a joined agent never has
   * to rejoin.
   */
  private void renew(String csr) {
    ClusterCa ca = services.ca();
    if (ca == null) {
      return;
    }
    try {
      AgentCsr request = AgentCsr.parse(csr);
      X509Certificate leaf = ca.signAgent(request, agentId, kinds, CERTIFICATE_LIFETIME);
      send(
          new JsonObject()
              .put("certificate", Pem.certificates(List.of(leaf, ca.certificate())))
              .put("ca", Pem.certificates(List.of(ca.certificate()))));
      LOG.info(
          "renewed the certificate of agent {} until {}", agentId, leaf.getNotAfter().toInstant());
    } catch (PkiException e) {
      LOG.warn("agent {}: renewal refused: {}", agentId, e.getMessage());
    }
  }

  private void sendProxies() {
    JsonArray proxies = new JsonArray();
    for (ProxyAnnouncement p : services.directory().current()) {
      proxies.add(new JsonObject().put("id", p.getProxyId()).put("address", p.getAddress()));
    }
    send(new JsonObject().put("proxies", proxies));
  }

  private void send(JsonObject message) {
    stream.write(Buffer.buffer(message.encode() + "\n"));
  }
}
