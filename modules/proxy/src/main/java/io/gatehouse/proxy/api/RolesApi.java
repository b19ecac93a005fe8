package io.gatehouse.proxy.api;

import io.gatehouse.access.ApiResource;
import io.gatehouse.access.Role;
import io.gatehouse.access.Verb;
import io.gatehouse.config.ConfigException;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.auth.ApiGuard;
import io.gatehouse.proxy.auth.Principal;
import io.gatehouse.proxy.auth.UserDirectory;
import io.gatehouse.proxy.listener.ClientAddress;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.Optional;

/**
 * Roles through the API: {@code GET /v1/roles[/{name}]} (documents, built-in {@code admin}
 * included), {@code POST /v1/roles} (a {@code kind: role} document; replacing one needs {@code
 * If-Match} its revision and the update verb), {@code DELETE /v1/roles/{name}}. Changes are audited
 * with the document before and after; users holding a changed role are re-checked at once.
 */
final class RolesApi {
  private static final int BODY_LIMIT = 256 * 1024;

  private final UserDirectory directory;
  private final DocumentWriter writer;
  private final AuditLog audit;
  private final ApiGuard guard;
  private final Clock clock;

  RolesApi(
      UserDirectory directory, DocumentWriter writer, AuditLog audit, ApiGuard guard, Clock clock) {
    this.directory = directory;
    this.writer = writer;
    this.audit = audit;
    this.guard = guard;
    this.clock = clock;
  }

  void mount(Router r) {
    r.get("/v1/roles").handler(guard.requires(ApiResource.ROLES, Verb.LIST)).handler(this::list);
    r.get("/v1/roles/:name")
        .handler(guard.requires(ApiResource.ROLES, Verb.READ))
        .handler(this::get);
    r.post("/v1/roles")
        .handler(BodyHandler.create().setBodyLimit(BODY_LIMIT))
        .handler(guard.requires(ApiResource.ROLES, Verb.CREATE))
        .handler(guard.write())
        .handler(this::write);
    r.delete("/v1/roles/:name")
        .handler(guard.requires(ApiResource.ROLES, Verb.DELETE))
        .handler(guard.delete())
        .handler(this::delete);
  }

  private void list(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    directory.roles().forEach(role -> out.add(json(role)));
    Responses.json(ctx, 200, out);
  }

  private void get(RoutingContext ctx) {
    Role role = existing(ctx.pathParam("name"));
    ctx.response().putHeader(HttpHeaders.ETAG, Revisions.etag(role.revision()));
    Responses.json(ctx, 200, json(role));
  }

  private void write(RoutingContext ctx) {
    Principal by = ApiGuard.principal(ctx);
    String text = ctx.body().asString();
    Role parsed;
    try {
      parsed = Role.parse(text == null ? "" : text, "request body");
    } catch (ConfigException e) {
      ctx.fail(e);
      return;
    }
    String name = parsed.name();
    String ifMatch = ctx.request().getHeader(HttpHeaders.IF_MATCH);
    String remote = ClientAddress.of(ctx.request());
    writer
        .serialized(
            Topic.ROLES,
            name,
            () -> {
              Optional<Role> before = directory.role(name);
              Revisions.Change change =
                  Revisions.change(before.map(Role::revision), ifMatch, "role " + name);
              if (change == Revisions.Change.UPDATE
                  && !by.access().may(ApiResource.ROLES, Verb.UPDATE)) {
                throw guard.denied(ctx, by, ApiResource.ROLES, Verb.UPDATE);
              }
              Role after = parsed.withRevision(before.map(r -> r.revision() + 1).orElse(1L));
              return writer
                  .write(
                      Topic.ROLES, name, after.toAvro(clock.instant(), by.user()), "role " + name)
                  .map(
                      v -> {
                        audit.accountChanged(
                            change == Revisions.Change.CREATE
                                ? AuditLog.ROLE_CREATE
                                : AuditLog.ROLE_UPDATE,
                            "role/" + name,
                            by.user(),
                            before.map(r -> json(r).encode()).orElse(null),
                            json(after).encode(),
                            remote);
                        return after;
                      });
            })
        .onSuccess(
            after -> {
              ctx.response()
                  .putHeader(HttpHeaders.ETAG, Revisions.etag(after.revision()))
                  .putHeader(HttpHeaders.LOCATION, "/v1/roles/" + name);
              Responses.json(ctx, after.revision() == 1 ? 201 : 200, json(after));
            })
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    Role before = existing(ctx.pathParam("name"));
    if (Role.builtIn(before.name()).isPresent()) {
      throw new Refusal(ErrorCode.BAD_REQUEST, "role " + before.name() + " is built in");
    }
    writer.deleteAccount(
        ctx,
        Topic.ROLES,
        "role/" + before.name(),
        json(before).encode(),
        audit,
        AuditLog.ROLE_DELETE);
  }

  private Role existing(String name) {
    return directory
        .role(name)
        .orElseThrow(() -> new Refusal(ErrorCode.NOT_FOUND, "no role " + name));
  }

  static JsonObject json(Role role) {
    return new JsonObject(role.toDocument()).put("revision", role.revision());
  }
}
