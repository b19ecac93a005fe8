package io.gatehouse.proxy.api;

import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.SessionPin;
import io.gatehouse.events.TunnelPresence;
import io.gatehouse.proxy.routing.AgentStatus;
import io.gatehouse.proxy.routing.LocalTunnel;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.proxy.routing.TargetHealth;
import io.gatehouse.proxy.session.SessionKeys;
import io.gatehouse.proxy.tunnel.AgentTunnels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** The API's JSON shapes (docs/proxy.md): resources, agents, sessions. */
final class ResourceJson {

  private ResourceJson() {}

  /**
   * One resource: labels of its definition when it has one, else of the agent that beat last; agent
   * counts, and counts of its agents by what their checks say of the upstream ({@code targets});
   * one entry per agent record, with its {@code target} health and, when it named one, its {@code
   * zone}.
   */
  static JsonObject resource(
      ResourceRef ref,
      Optional<ResourceDefinition> definition,
      List<AgentStatus> agents,
      String publicHost) {
    Map<String, String> labels =
        definition
            .map(ResourceDefinition::getLabels)
            .orElseGet(
                () ->
                    agents.stream()
                        .max(Comparator.comparing(AgentStatus::lastBeat))
                        .map(AgentStatus::labels)
                        .orElse(Map.of()));
    JsonArray list = new JsonArray();
    int healthy = 0;
    Map<TargetHealth.State, Integer> targets = new EnumMap<>(TargetHealth.State.class);
    for (TargetHealth.State state : TargetHealth.State.values()) {
      targets.put(state, 0);
    }
    for (AgentStatus a : agents) {
      healthy += a.healthy() ? 1 : 0;
      targets.merge(a.target().state(), 1, Integer::sum);
      JsonObject agent =
          new JsonObject()
              .put("agent", a.agent().agentId())
              .put("address", a.agent().address())
              .put("healthy", a.healthy())
              .put("target", a.target().toJson())
              .put("origin", a.origin())
              .put("lastBeat", a.lastBeat().toString());
      if (!a.zone().isEmpty()) {
        agent.put("zone", a.zone());
      }
      list.add(agent);
    }
    JsonObject targetCounts = new JsonObject();
    targets.forEach((state, n) -> targetCounts.put(state.word(), n));
    return new JsonObject()
        .put("kind", ref.kind().word())
        .put("name", ref.name())
        .put("labels", new JsonObject(new TreeMap<String, Object>(labels)))
        .put("healthyAgents", healthy)
        .put("totalAgents", agents.size())
        .put("targets", targetCounts)
        .put("revision", definition.map(ResourceDefinition::getRevision).orElse(null))
        .put("transport", transport(ref, definition, agents))
        .put(
            "host",
            transport(ref, definition, agents).equals("http")
                ? ref.name() + "." + publicHost
                : null)
        .put("agents", list);
  }

  /**
   * How users reach it: {@code http} (an app or Kubernetes API, at its host) or {@code tcp} (a
   * tunnel: databases, desktops, TCP apps).
   */
  static String transport(
      ResourceRef ref, Optional<ResourceDefinition> definition, List<AgentStatus> agents) {
    return switch (ref.kind()) {
      case DB, DESKTOP -> "tcp";
      case KUBE -> "http";
      case APP -> {
        String uri =
            definition
                .map(d -> d.getSpec().getUri())
                .orElseGet(() -> agents.isEmpty() ? "" : agents.get(0).uri());
        yield uri.startsWith("tcp://") ? "tcp" : "http";
      }
    };
  }

  /**
   * One agent as the mesh and this proxy see it: the live proxies it is connected to ({@code
   * proxies}, this one included as soon as its tunnel is up here), its state and this proxy's
   * verdict on it. {@code address}, {@code since} and {@code version} are left out when no tunnel
   * tells them. A draining agent's {@code sessions} is how many it still has open, as its proxies'
   * presence records last said.
   *
   * @param presences its records on live proxies, by proxy id
   * @param here its tunnel to this proxy, {@code proxyId}
   */
  static JsonObject agent(
      String agentId,
      String proxyId,
      List<TunnelPresence> presences,
      Optional<LocalTunnel> here,
      AgentStatus.Health health,
      Instant ejectedUntil) {
    SortedSet<String> proxies = new TreeSet<>();
    SortedSet<String> kinds = new TreeSet<>();
    Instant since = null;
    String address = null;
    String version = null;
    boolean draining = false;
    Integer sessions = null;
    for (TunnelPresence p : presences) {
      version = version == null ? p.getAgentVersion() : version;
      kinds.addAll(p.getKinds());
      // Every proxy hears the same count; a draining agent's only falls, so the least is newest.
      Integer left = p.getRemainingSessions();
      if (left != null && AgentTunnels.DRAINING.equals(p.getState())) {
        sessions = sessions == null ? left : Math.min(sessions, left);
      }
      if (p.getProxyId().equals(proxyId)) {
        // This proxy's own registry knows better than its record, which lags by a round trip.
        continue;
      }
      proxies.add(p.getProxyId());
      since = since == null || p.getSince().isBefore(since) ? p.getSince() : since;
      address = address == null ? p.getRemote() : address;
      draining |= AgentTunnels.DRAINING.equals(p.getState());
    }
    if (here.isPresent()) {
      proxies.add(proxyId);
      address = here.get().remote();
      since = here.get().since();
      draining |= here.get().draining();
    }
    String state =
        proxies.isEmpty()
            ? "disconnected"
            : draining ? AgentTunnels.DRAINING : AgentTunnels.SERVING;
    JsonObject o =
        new JsonObject()
            .put("agent", agentId)
            .put("address", address)
            .put("proxies", new JsonArray(List.copyOf(proxies)))
            .put("connectedHere", here.isPresent())
            .put("state", state)
            .put("healthy", health == AgentStatus.Health.HEALTHY)
            .put("status", health.text())
            .put("since", since == null ? null : since.toString())
            .put("version", version)
            .put("kinds", new JsonArray(List.copyOf(kinds)));
    if (draining && sessions != null) {
      o.put("sessions", sessions);
    }
    if (ejectedUntil != null) {
      o.put("ejectedUntil", ejectedUntil.toString());
    }
    // No tunnel told them: leave them out rather than print "null".
    o.getMap().values().removeIf(Objects::isNull);
    return o;
  }

  static JsonObject session(SessionPin pin) {
    return new JsonObject()
        .put("session", SessionKeys.shortId(pin.getSessionId()))
        .put("kind", pin.getKind())
        .put("name", pin.getName())
        .put("agent", pin.getAgentId())
        .put("address", pin.getAgentAddress())
        .put("proxy", pin.getProxyId())
        .put("user", pin.getUser())
        .put("transport", pin.getTransport())
        .put("startedAt", pin.getStartedAt().toString())
        .put("lastActiveAt", pin.getLastActiveAt().toString());
  }

  static JsonObject definition(ResourceDefinition d) {
    return AvroJson.of(d);
  }
}
