package io.gatehouse.agent.internal.destination;

import io.gatehouse.agent.DestinationRefusal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a definition the agent refuses to serve because of where it points: logged once
 * with the resource, the destination and the reason, and counted once in {@code
 * gatehouse.agent.resources.refused} (tag {@code reason}); the same definition sent again (a
 * resync, another proxy) is neither logged nor counted again. Every reason's counter exists from
 * the start, so a scrape shows zeros rather than nothing. Thread-safe.
 */
public final class RefusedDefinitions {
  private static final Logger LOG = LoggerFactory.getLogger(RefusedDefinitions.class);

  private final String agentId;
  private final Map<DestinationRefusal.Reason, Counter> counters =
      new EnumMap<>(DestinationRefusal.Reason.class);
  private final Set<String> seen = new HashSet<>();

  public RefusedDefinitions(String agentId, MeterRegistry registry) {
    this.agentId = agentId;
    for (DestinationRefusal.Reason reason : DestinationRefusal.Reason.values()) {
      counters.put(
          reason,
          Counter.builder("gatehouse.agent.resources.refused")
              .description(
                  "Dynamic resources not served because of where they point (loopback,"
                      + " link-local, unspecified, a proxy, not in the watcher's destinations)")
              .tag("reason", reason.word())
              .register(registry));
    }
  }

  /** The definition of {@code key} pointing at {@code uri} is refused for {@code refusal}. */
  public synchronized void refused(String key, String uri, DestinationRefusal refusal) {
    if (!seen.add(key + " " + uri + " " + refusal.reason())) {
      return;
    }
    counters.get(refusal.reason()).increment();
    LOG.warn(
        "agent {} does not serve {} ({}): {} [{}]",
        agentId,
        key,
        uri,
        refusal.detail(),
        refusal.reason().word());
  }
}
