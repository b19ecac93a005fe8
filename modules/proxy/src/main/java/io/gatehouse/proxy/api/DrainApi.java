package io.gatehouse.proxy.api;

import io.gatehouse.access.ApiResource;
import io.gatehouse.access.Verb;
import io.gatehouse.config.NodeId;
import io.gatehouse.events.TunnelPresence;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.auth.ApiGuard;
import io.gatehouse.proxy.listener.ClientAddress;
import io.gatehouse.proxy.tunnel.AgentTunnels;
import io.gatehouse.proxy.tunnel.TunnelMesh;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /v1/agents/{id}/drain}, what {@code gatehouse agents drain ID} calls: asks the agent,
 * down its tunnel to this proxy, to drain and stop ({@code {"drain":true}} on the control stream).
 * The agent takes no new session and says so on every tunnel, so every proxy has it out of rotation
 * as soon as the line arrives; its open sessions get its {@code drain_timeout}; then it says
 * goodbye and exits. Answered {@code 202} with the agent as {@code GET /v1/agents} lists it once
 * the agent said it is draining (at most {@link #CONFIRM} later, else {@code 504}).
 *
 * <p>It needs {@code update} on {@code agents}, is refused without a body-less write's proof of
 * origin, and is audited ({@code agent.drain}, naming the caller). An agent with no tunnel here is
 * {@code 409} naming the proxies it is connected to (the request goes to one of them); one
 * connected nowhere is {@code 404}.
 */
final class DrainApi {
  /** How long the caller waits for the agent to confirm it is draining. */
  static final Duration CONFIRM = Duration.ofSeconds(5);

  private final String proxyId;
  private final AgentTunnels tunnels;
  private final TunnelMesh mesh;
  private final AuditLog audit;
  private final ApiGuard guard;

  DrainApi(String proxyId, AgentTunnels tunnels, TunnelMesh mesh, AuditLog audit, ApiGuard guard) {
    this.proxyId = proxyId;
    this.tunnels = tunnels;
    this.mesh = mesh;
    this.audit = audit;
    this.guard = guard;
  }

  void mount(Router r) {
    r.post("/v1/agents/:id/drain")
        .handler(guard.requires(ApiResource.AGENTS, Verb.UPDATE))
        .handler(guard.delete())
        .handler(this::drain);
  }

  private void drain(RoutingContext ctx) {
    String agentId = ctx.pathParam("id");
    if (!NodeId.PATTERN.matcher(agentId).matches()) {
      throw new Refusal(ErrorCode.BAD_REQUEST, "'" + agentId + "' is not an agent id");
    }
    String by = ApiGuard.principal(ctx).user();
    String remote = ClientAddress.of(ctx.request());
    Optional<CompletableFuture<AgentTunnels.Connected>> asked = tunnels.drain(agentId);
    if (asked.isEmpty()) {
      throw notHere(agentId);
    }
    Context context = Vertx.currentContext();
    // A copy: this caller's timeout must not fail the confirmation other callers wait for.
    asked
        .get()
        .copy()
        .orTimeout(CONFIRM.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (connected, error) ->
                context.runOnContext(
                    v -> {
                      if (error == null) {
                        answer(ctx, agentId, by, remote, connected);
                      } else {
                        refuse(ctx, agentId, by, remote, error);
                      }
                    }));
  }

  private void answer(
      RoutingContext ctx,
      String agentId,
      String by,
      String remote,
      AgentTunnels.Connected connected) {
    audit.agentDrain(agentId, by, "ok", details("remote", remote));
    JsonObject out = new JsonObject().put("agent", agentId).put("state", AgentTunnels.DRAINING);
    if (connected == null) {
      out.put("state", "stopped");
    } else if (connected.sessions() >= 0) {
      out.put("sessions", connected.sessions());
    }
    Responses.json(ctx, 202, out);
  }

  private void refuse(
      RoutingContext ctx, String agentId, String by, String remote, Throwable failure) {
    Throwable error =
        failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
            ? c.getCause()
            : failure;
    String reason =
        error instanceof TimeoutException
            ? "agent "
                + agentId
                + " did not say it is draining within "
                + CONFIRM.toSeconds()
                + " s (an agent of an earlier version ignores the request; stop it with SIGTERM)"
            : "agent " + agentId + " could not be asked to drain: " + error.getMessage();
    audit.agentDrain(agentId, by, "failed", details("remote", remote, "reason", reason));
    ctx.fail(new Refusal(ErrorCode.DRAIN_UNCONFIRMED, reason));
  }

  /** The agent has no tunnel here: where it has one, or that it has none. */
  private Refusal notHere(String agentId) {
    List<String> elsewhere =
        mesh.of(agentId).stream()
            .map(TunnelPresence::getProxyId)
            .filter(p -> !p.equals(proxyId))
            .toList();
    if (elsewhere.isEmpty()) {
      return new Refusal(
          ErrorCode.NOT_FOUND, "agent " + agentId + " is not connected to any proxy");
    }
    return new Refusal(
        ErrorCode.AGENT_ELSEWHERE,
        "agent "
            + agentId
            + " has no tunnel to proxy "
            + proxyId
            + "; ask a proxy it is connected to: "
            + String.join(", ", elsewhere));
  }

  private static Map<String, String> details(String... pairs) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      out.put(pairs[i], pairs[i + 1]);
    }
    return out;
  }
}
