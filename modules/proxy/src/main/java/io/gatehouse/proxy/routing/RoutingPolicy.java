package io.gatehouse.proxy.routing;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How a proxy picks one agent among those equally good by target health (all healthy, else all
 * unknown, else all unhealthy): the policy of a resource, set per kind or per resource in {@code
 * proxy.routing} ({@link RoutingPolicies}). It decides new sessions and re-pins; a session stays on
 * its pinned agent whatever the policy.
 */
public enum RoutingPolicy {
  /** Uniformly at random: the default. */
  RANDOM("random"),
  /**
   * At random among the agents in this proxy's zone ({@code proxy.zone}); at random among all when
   * none of them is in it.
   */
  SAME_ZONE_FIRST("same-zone-first"),
  /**
   * The power of two random choices: of two agents drawn at random, the one with fewer open
   * sessions ({@link SessionCounts}).
   */
  LEAST_SESSIONS("least-sessions");

  private final String word;

  RoutingPolicy(String word) {
    this.word = word;
  }

  /** How configuration and audit events write it, e.g. {@code same-zone-first}. */
  public String word() {
    return word;
  }

  /** The policy {@code word} names, exactly; empty for any other word. */
  public static Optional<RoutingPolicy> parse(String word) {
    return Arrays.stream(values()).filter(p -> p.word.equals(word)).findFirst();
  }

  /** {@code random, same-zone-first or least-sessions}: for messages. */
  public static String words() {
    String all = Arrays.stream(values()).map(p -> p.word).collect(Collectors.joining(", "));
    int last = all.lastIndexOf(", ");
    return all.substring(0, last) + " or " + all.substring(last + 2);
  }
}
