package io.gatehouse.proxy.api;

import io.gatehouse.access.ApiResource;
import io.gatehouse.access.Verb;
import io.gatehouse.events.Lock;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.auth.ApiGuard;
import io.gatehouse.proxy.auth.LockTargets;
import io.gatehouse.proxy.auth.Principal;
import io.gatehouse.proxy.listener.ClientAddress;
import io.gatehouse.proxy.lock.Locks;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Locks through the API, as {@code gatehouse lock} writes them: {@code GET /v1/locks} (the agent
 * and user locks standing), {@code POST /v1/locks} ({@code {"target": "user/bob", "reason": …}}) or
 * {@code PUT /v1/locks/{agent|user}/{name}} ({@code {"reason": …}}, optional) to lock, {@code
 * DELETE /v1/locks/{agent|user}/{name}} to lift. A lock is written to {@code gatehouse.locks},
 * answered once this proxy enforces it, and audited as {@code lock.create} or {@code lock.delete}
 * naming the caller. No one locks themselves: that is how the last admin would shut everyone out.
 */
final class LocksApi {
  private static final int BODY_LIMIT = 4 * 1024;
  private static final int MAX_REASON = 512;

  private final Locks locks;
  private final DocumentWriter writer;
  private final AuditLog audit;
  private final ApiGuard guard;
  private final Clock clock;

  LocksApi(Locks locks, DocumentWriter writer, AuditLog audit, ApiGuard guard, Clock clock) {
    this.locks = locks;
    this.writer = writer;
    this.audit = audit;
    this.guard = guard;
    this.clock = clock;
  }

  void mount(Router r) {
    r.get("/v1/locks").handler(guard.requires(ApiResource.LOCKS, Verb.LIST)).handler(this::list);
    r.post("/v1/locks")
        .handler(BodyHandler.create().setBodyLimit(BODY_LIMIT))
        .handler(guard.requires(ApiResource.LOCKS, Verb.CREATE))
        .handler(guard.write())
        .handler(ctx -> place(ctx, null));
    r.put("/v1/locks/:kind/:name")
        .handler(BodyHandler.create().setBodyLimit(BODY_LIMIT))
        .handler(guard.requires(ApiResource.LOCKS, Verb.CREATE))
        .handler(guard.write())
        .handler(ctx -> place(ctx, ctx.pathParam("kind") + "/" + ctx.pathParam("name")));
    r.delete("/v1/locks/:kind/:name")
        .handler(guard.requires(ApiResource.LOCKS, Verb.DELETE))
        .handler(guard.delete())
        .handler(this::lift);
  }

  private void list(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    locks.agentsAndUsers().forEach(l -> out.add(json(l)));
    Responses.json(ctx, 200, out);
  }

  private void place(RoutingContext ctx, String pathTarget) {
    Principal by = ApiGuard.principal(ctx);
    JsonObject body = body(ctx, pathTarget != null);
    String target = target(pathTarget != null ? pathTarget : string(body, "target"));
    String reason = string(body, "reason");
    if (reason != null && reason.length() > MAX_REASON) {
      throw new Refusal(
          ErrorCode.BAD_REQUEST, "\"reason\" is at most " + MAX_REASON + " characters");
    }
    if (target.equals(Locks.USER + by.user())) {
      throw new Refusal(
          ErrorCode.BAD_REQUEST,
          "you cannot lock yourself (" + target + "): you would be shut out at once");
    }
    String remote = ClientAddress.of(ctx.request());
    writer
        .serialized(
            Topic.LOCKS,
            target,
            () -> {
              Optional<Lock> before = locks.get(target);
              Lock lock =
                  Lock.newBuilder()
                      .setTarget(target)
                      .setReason(reason)
                      .setCreatedBy(by.user())
                      .setCreatedAt(clock.instant())
                      .build();
              return writer
                  .write(Topic.LOCKS, target, lock, "the lock on " + target)
                  .map(
                      v -> {
                        audit.lockChanged(
                            AuditLog.LOCK_CREATE, target, by.user(), details(reason, remote));
                        return new Placed(lock, before.isEmpty());
                      });
            })
        .onSuccess(placed -> Responses.json(ctx, placed.created() ? 201 : 200, json(placed.lock())))
        .onFailure(ctx::fail);
  }

  /** What a lock answers with: the lock, and whether it is new (201) or replaced one (200). */
  private record Placed(Lock lock, boolean created) {}

  private void lift(RoutingContext ctx) {
    String by = ApiGuard.principal(ctx).user();
    String target = target(ctx.pathParam("kind") + "/" + ctx.pathParam("name"));
    String remote = ClientAddress.of(ctx.request());
    writer
        .serialized(
            Topic.LOCKS,
            target,
            () -> {
              if (locks.get(target).isEmpty()) {
                throw new Refusal(ErrorCode.NOT_FOUND, target + " is not locked");
              }
              return writer.write(Topic.LOCKS, target, null, "the lock on " + target);
            })
        .onSuccess(
            v -> {
              audit.lockChanged(AuditLog.LOCK_DELETE, target, by, details(null, remote));
              ctx.response().setStatusCode(204).end();
            })
        .onFailure(ctx::fail);
  }

  private static String target(String text) {
    if (text == null) {
      throw new Refusal(
          ErrorCode.BAD_REQUEST, "missing \"target\": agent/ID or user/NAME, e.g. user/bob");
    }
    try {
      return LockTargets.check(text);
    } catch (IllegalArgumentException e) {
      throw new Refusal(ErrorCode.BAD_REQUEST, e.getMessage());
    }
  }

  /** The request's JSON object; a PUT may send none (no reason). */
  private static JsonObject body(RoutingContext ctx, boolean optional) {
    String text = ctx.body().asString();
    if (optional && (text == null || text.isBlank())) {
      return new JsonObject();
    }
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        throw new Refusal(ErrorCode.BAD_REQUEST, "a lock is a JSON object, got nothing");
      }
      return body;
    } catch (DecodeException | ClassCastException e) {
      throw new Refusal(
          ErrorCode.BAD_REQUEST,
          "a lock is a JSON object, e.g. {\"target\": \"user/bob\", \"reason\": \"…\"}");
    }
  }

  private static String string(JsonObject body, String key) {
    Object v = body.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new Refusal(ErrorCode.BAD_REQUEST, "\"" + key + "\" must be a string");
    }
    return s;
  }

  private static Map<String, String> details(String reason, String remote) {
    Map<String, String> out = new HashMap<>();
    if (reason != null) {
      out.put("reason", reason);
    }
    out.put("remote", remote);
    return out;
  }

  static JsonObject json(Lock l) {
    JsonObject out =
        new JsonObject()
            .put("target", l.getTarget())
            .put("reason", l.getReason())
            .put("createdBy", l.getCreatedBy())
            .put("createdAt", l.getCreatedAt().toString());
    if (l.getExpiresAt() != null) {
      out.put("expiresAt", l.getExpiresAt().toString());
    }
    return out;
  }
}
