package io.gatehouse.agent.internal.destination;

import io.gatehouse.agent.DestinationRefusal;
import io.gatehouse.agent.DestinationRules;
import io.gatehouse.agent.ProxyAddresses;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Where one dynamic resource may point: the destination rules of every watcher whose selector
 * matched it. It may point where any of them allows (selectors are ORed, and so are their
 * allow-lists); when none does, the first watcher's refusal is the one reported.
 *
 * @param rules one per matching watcher, in the order of the file; never empty
 */
public record DestinationGuard(List<DestinationRules> rules) {
  public DestinationGuard {
    rules = List.copyOf(rules);
    if (rules.isEmpty()) {
      throw new IllegalArgumentException("a guard needs the rules of at least one watcher");
    }
  }

  /** Why {@code host:port} (resolved to {@code resolved}, if a name being dialed) is refused. */
  public Optional<DestinationRefusal> refusal(
      String host, int port, List<InetAddress> resolved, ProxyAddresses proxies) {
    Optional<DestinationRefusal> first = Optional.empty();
    for (DestinationRules r : rules) {
      Optional<DestinationRefusal> refusal = r.refusal(host, port, resolved, proxies);
      if (refusal.isEmpty()) {
        return refusal;
      }
      if (first.isEmpty()) {
        first = refusal;
      }
    }
    return first;
  }
}
