package io.gatehouse.proxy.heartbeat;

import io.gatehouse.config.ZoneName;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.resource.ResourceRules;
import io.gatehouse.proxy.routing.TargetHealth;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One resource an agent says it serves: the {@code serve} object of a control-stream line, {@code
 * {"agent":…,"kind":…,"name":…,"labels":{…},"uri":…,"protocol":…,"origin":"static"|"dynamic",
 * "health":{"state":…,"reason":…,"since":<epoch ms>},"zone":…}} (health and zone optional: older
 * agents send neither, and an agent with no {@code agent.zone} sends no zone), checked against the
 * tunnel's certificate before the proxy writes anything for it. An agent speaks only for itself
 * ({@code agent} must be the id its certificate names) and only for the kinds its certificate
 * allows; the resource obeys the same {@link ResourceRules} as a definition.
 *
 * @param kind the resource's kind
 * @param name its name
 * @param labels its labels
 * @param uri its upstream as the agent serves it
 * @param protocol the wire protocol of a db or desktop, if named
 * @param origin {@code static} or {@code dynamic}
 * @param health what the agent's checks say of the upstream, if it said
 * @param zone the zone the agent runs in, if it named one
 */
public record ServeLine(
    ResourceKind kind,
    String name,
    Map<String, String> labels,
    String uri,
    Optional<String> protocol,
    String origin,
    Optional<TargetHealth> health,
    Optional<String> zone) {

  /** A line without target health or zone, as an older agent sends it. */
  public ServeLine(
      ResourceKind kind,
      String name,
      Map<String, String> labels,
      String uri,
      Optional<String> protocol,
      String origin) {
    this(kind, name, labels, uri, protocol, origin, Optional.empty(), Optional.empty());
  }

  private static final int MAX_TEXT = 1024;

  /** Why a line was refused; the message is the reason sent back to the agent and logged. */
  public static final class Refused extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Refused(String reason) {
      super(reason);
    }
  }

  /** {@code kind/name}. */
  public String key() {
    return Keys.resource(kind.word(), name);
  }

  /**
   * Reads {@code serve} from the tunnel of agent {@code agentId}, whose certificate allows {@code
   * kinds}.
   *
   * @throws Refused naming what is wrong: another agent's id, a kind the certificate does not
   *     allow, or a resource that breaks the rules
   */
  public static ServeLine parse(JsonObject serve, String agentId, Set<String> kinds) {
    String claimed = text(serve, "agent");
    if (!agentId.equals(claimed)) {
      throw new Refused(
          "this tunnel belongs to agent " + agentId + "; it cannot heartbeat as agent " + claimed);
    }
    String kindWord = text(serve, "kind");
    ResourceKind kind =
        ResourceKind.parse(kindWord)
            .orElseThrow(() -> new Refused("unknown resource kind '" + kindWord + "'"));
    if (!kinds.contains(kind.word())) {
      throw new Refused(
          "the certificate of agent "
              + agentId
              + " allows kinds "
              + String.join(",", kinds)
              + ", not "
              + kind.word());
    }
    try {
      String name = ResourceRules.checkName(text(serve, "name"));
      String uri = ResourceRules.checkUri(kind, text(serve, "uri"));
      Optional<String> protocol =
          Optional.ofNullable(serve.getValue("protocol"))
              .map(p -> ResourceRules.checkProtocol(String.valueOf(p)));
      String origin = text(serve, "origin");
      if (!origin.equals("static") && !origin.equals("dynamic")) {
        throw new Refused("origin must be static or dynamic, not '" + origin + "'");
      }
      return new ServeLine(
          kind,
          name,
          labels(serve.getValue("labels")),
          uri,
          protocol,
          origin,
          health(serve.getValue("health")),
          zone(serve.getValue("zone")));
    } catch (Refused e) {
      throw e;
    } catch (RuntimeException e) {
      throw new Refused(e.getMessage());
    }
  }

  private static Optional<TargetHealth> health(Object value) {
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof JsonObject object)) {
      throw new Refused("health must be an object");
    }
    if (!(object.getValue("since") instanceof Number since) || since.longValue() < 0) {
      throw new Refused("health.since must be a time in epoch milliseconds");
    }
    Object reason = object.getValue("reason");
    return Optional.of(
        new TargetHealth(
            TargetHealth.State.parse(text(object, "state")),
            reason instanceof String r ? r : "",
            Instant.ofEpochMilli(since.longValue())));
  }

  private static Optional<String> zone(Object value) {
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String zone)) {
      throw new Refused("zone must be a string");
    }
    return Optional.of(ZoneName.check(zone));
  }

  private static Map<String, String> labels(Object value) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject object)) {
      throw new Refused("labels must be an object of strings");
    }
    if (object.size() > ResourceRules.MAX_LABELS) {
      throw new Refused("more than " + ResourceRules.MAX_LABELS + " labels");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : object) {
      if (!(e.getValue() instanceof String v)) {
        throw new Refused("label '" + e.getKey() + "' must be a string");
      }
      labels.put(e.getKey(), v);
    }
    try {
      return Map.copyOf(ResourceRules.checkLabels(labels));
    } catch (IllegalArgumentException e) {
      throw new Refused(e.getMessage());
    }
  }

  private static String text(JsonObject object, String field) {
    Object value = object.getValue(field);
    if (!(value instanceof String s) || s.isBlank()) {
      throw new Refused("'" + field + "' is missing or not a string");
    }
    if (s.length() > MAX_TEXT) {
      throw new Refused("'" + field + "' is longer than " + MAX_TEXT + " characters");
    }
    return s;
  }
}
