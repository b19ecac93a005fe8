package io.gatehouse.proxy.tunnel;

import io.gatehouse.events.ProxyAnnouncement;
import io.gatehouse.pki.AgentCsr;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.Pem;
import io.gatehouse.pki.PkiException;
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
import io.vertx.core.parsetools.RecordParser;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's side of a tunnel's control stream, {@code GET /.gatehouse/control}, opened once the
 * tunnel is up: one line of JSON per message (NDJSON). Down the stream goes the proxy set, {@code
 * {"proxies":[{"id":…,"address":…}]}}, at once and whenever it changes, so the agent keeps a tunnel
 * to every proxy.
 */
public final class ControlStream {
  /** How long an agent's certificate lasts, from a join or a renewal on this stream. */
  public static final java.time.Duration CERTIFICATE_LIFETIME = java.time.Duration.ofHours(24);

  private static final Logger LOG = LoggerFactory.getLogger(ControlStream.class);

  private ControlStream() {}

  /**
   * @param ca signs renewed certificates; null renews nothing (tests)
   * @param kinds what the agent's current certificate allows: a renewed one allows the same
   * @param draining runs when the agent says {@code {"state":"draining"}}
   */
  static void open(
      Tunnel tunnel,
      ContextInternal context,
      String proxyId,
      ProxyDirectory directory,
      ClusterCa ca,
      String agentId,
      Set<String> kinds,
      Runnable draining) {
    tunnel
        .open(context)
        .onFailure(e -> LOG.debug("no control stream to {}: {}", tunnel.peer(), e.toString()))
        .onSuccess(
            stream -> {
              HttpRequest head =
                  new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, Wire.CONTROL_PATH);
              head.headers().set(Wire.PROXY, proxyId);
              stream.writeHead(head);
              stream.exceptionHandler(e -> {});
              RecordParser.newDelimited("\n", stream)
                  .handler(line -> answer(stream, line.toString(), ca, agentId, kinds, draining));
              Runnable send = () -> send(stream, directory);
              directory.onChange(send);
              stream.closeFuture().onComplete(v -> directory.removeListener(send));
              send.run();
            });
  }

  /**
   * Answers one line from the agent. {@code {"renew": "<CSR PEM>"}} (for the key it has) gets
   * {@code {"certificate": "<leaf + CA PEM>", "ca": "<CA PEM>"}}: the same id and kinds, a fresh
   * lifetime, so a joined agent never has to rejoin. {@code {"state": "draining"}} (an agent
   * shutting down) takes it out of this proxy's rotation at once.
   */
  private static void answer(
      TunnelStream stream,
      String line,
      ClusterCa ca,
      String agentId,
      Set<String> kinds,
      Runnable draining) {
    JsonObject message;
    try {
      message = new JsonObject(line);
    } catch (RuntimeException e) {
      LOG.warn("agent {} sent an unreadable control line; ignoring it", agentId);
      return;
    }
    if (AgentTunnels.DRAINING.equals(message.getValue("state"))) {
      draining.run();
      return;
    }
    String csr = message.getString("renew");
    if (csr == null || ca == null) {
      return;
    }
    try {
      AgentCsr request = AgentCsr.parse(csr);
      X509Certificate leaf = ca.signAgent(request, agentId, kinds, CERTIFICATE_LIFETIME);
      stream.write(
          Buffer.buffer(
              new JsonObject()
                      .put("certificate", Pem.certificates(List.of(leaf, ca.certificate())))
                      .put("ca", Pem.certificates(List.of(ca.certificate())))
                      .encode()
                  + "\n"));
      LOG.info(
          "renewed the certificate of agent {} until {}", agentId, leaf.getNotAfter().toInstant());
    } catch (PkiException e) {
      LOG.warn("agent {}: renewal refused: {}", agentId, e.getMessage());
    }
  }

  private static void send(TunnelStream stream, ProxyDirectory directory) {
    JsonArray proxies = new JsonArray();
    for (ProxyAnnouncement p : directory.current()) {
      proxies.add(new JsonObject().put("id", p.getProxyId()).put("address", p.getAddress()));
    }
    stream.write(Buffer.buffer(new JsonObject().put("proxies", proxies).encode() + "\n"));
  }
}
