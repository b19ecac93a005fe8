package io.gatehouse.proxy.routing;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.Liveness;
import io.gatehouse.state.StateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

/**
 * A test oracle for {@link RoutingTable#healthDigest}: the same digest computed the slow way, by
 * scanning and decoding the stored heartbeats table instead of reading memory. It judges agents
 * with the table's own verdict, so only the walk over the records is checked.
 */
final class ScannedHealthDigest {
  private ScannedHealthDigest() {}

  static long of(StateStore store, RoutingTable table) {
    Instant seen = table.seenUpTo();
    long[] digest = {0};
    Set<String> agents = new TreeSet<>();
    store
        .table(Topic.HEARTBEATS.suffix())
        .scan(
            new byte[0],
            (key, value) -> {
              ResourceHeartbeat hb = EventCodec.RESOURCE_HEARTBEAT.decode(value);
              if (Liveness.isFresh(hb.getTime(), Duration.ofMillis(hb.getTtlMillis()), seen)) {
                String k = Keys.string(key);
                int agentAt = k.lastIndexOf(Keys.SEPARATOR);
                agents.add(k.substring(agentAt + 1));
                digest[0] +=
                    RoutingTable.mix(
                        RoutingTable.recordHash(k.substring(0, agentAt), k.substring(agentAt + 1)),
                        -1);
              }
              return true;
            });
    for (String agentId : agents) {
      digest[0] += RoutingTable.mix(agentId, table.health(agentId).ordinal());
    }
    return digest[0];
  }
}
