package io.gatehouse.proxy.api;

import io.gatehouse.events.AgentBeat;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.SessionPin;
import io.gatehouse.proxy.routing.AgentStatus;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.proxy.session.SessionKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The API's JSON shapes (docs/proxy.md): resources, agents, sessions. */
final class ResourceJson {

  private ResourceJson() {}

  /**
   * One resource: labels of its definition when it has one, else of the agent that beat last; agent
   * counts; one entry per agent record.
   */
  static JsonObject resource(
      ResourceRef ref, Optional<ResourceDefinition> definition, List<AgentStatus> agents) {
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
    for (AgentStatus a : agents) {
      healthy += a.healthy() ? 1 : 0;
      list.add(
          new JsonObject()
              .put("agent", a.agent().agentId())
              .put("address", a.agent().address())
              .put("healthy", a.healthy())
              .put("origin", a.origin())
              .put("lastBeat", a.lastBeat().toString()));
    }
    return new JsonObject()
        .put("kind", ref.kind().word())
        .put("name", ref.name())
        .put("labels", new JsonObject(new TreeMap<String, Object>(labels)))
        .put("healthyAgents", healthy)
        .put("totalAgents", agents.size())
        .put("agents", list);
  }

  static JsonObject agent(AgentBeat beat, AgentStatus.Health health, Instant ejectedUntil) {
    JsonObject o =
        new JsonObject()
            .put("agent", beat.getAgentId())
            .put("address", beat.getAddress())
            .put("version", beat.getVersion())
            .put("state", beat.getState())
            .put("healthy", health == AgentStatus.Health.HEALTHY)
            .put("status", health.text())
            .put("lastBeat", beat.getTime().toString())
            .put("startedAt", beat.getStartedAt().toString());
    if (ejectedUntil != null) {
      o.put("ejectedUntil", ejectedUntil.toString());
    }
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
