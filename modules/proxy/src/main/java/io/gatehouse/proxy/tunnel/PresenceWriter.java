package io.gatehouse.proxy.tunnel;

import io.gatehouse.events.Keys;
import io.gatehouse.events.TunnelPresence;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.publish.EventPublisher;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this proxy's side of the mesh on {@code gatehouse.tunnels}: one record per connected agent
 * under {@code agentId/proxyId}, a tombstone when its tunnel is gone. Writes of one agent keep the
 * order of the calls (the publisher's guarantee); callers make each call in the same atomic step as
 * the change it records, so the last record of a key is the registry's last word on it. A write
 * Kafka does not acknowledge is logged; the next change of that agent, or the next start of this
 * proxy, writes over it.
 */
final class PresenceWriter {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceWriter.class);

  private final String proxyId;
  private final EventPublisher publisher;

  /** {@code publisher} null writes nothing (tests of the registry alone). */
  PresenceWriter(String proxyId, EventPublisher publisher) {
    this.proxyId = proxyId;
    this.publisher = publisher;
  }

  /** Records that {@code agentId} is connected here as {@code tunnel} says. */
  void connected(String agentId, AgentTunnels.Connected tunnel) {
    write(
        agentId,
        TunnelPresence.newBuilder()
            .setAgentId(agentId)
            .setProxyId(proxyId)
            .setSince(tunnel.since())
            .setRemote(tunnel.remote())
            .setKinds(List.copyOf(new TreeSet<>(tunnel.kinds())))
            .setState(tunnel.state())
            .setAgentVersion(tunnel.version())
            .setRemainingSessions(
                tunnel.draining() && tunnel.sessions() >= 0 ? tunnel.sessions() : null)
            .build());
  }

  /** Records that {@code agentId} is no longer connected here. */
  void disconnected(String agentId) {
    write(agentId, null);
  }

  private void write(String agentId, TunnelPresence presence) {
    if (publisher == null) {
      return;
    }
    String key = Keys.tunnel(agentId, proxyId);
    publisher
        .publish(Topic.TUNNELS, key, presence)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                LOG.warn(
                    "proxy {}: presence of agent {} not written ({}): other proxies may show it"
                        + " {} here until its next change",
                    proxyId,
                    agentId,
                    e.getMessage(),
                    presence == null ? "still connected" : "not connected");
              }
            });
  }
}
