package io.gatehouse.proxy.api;

import io.gatehouse.access.ApiResource;
import io.gatehouse.access.PasswordHasher;
import io.gatehouse.access.Verb;
import io.gatehouse.events.User;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.auth.ApiGuard;
import io.gatehouse.proxy.auth.Principal;
import io.gatehouse.proxy.auth.UserDirectory;
import io.gatehouse.proxy.auth.UserNames;
import io.gatehouse.proxy.listener.ClientAddress;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Users through the API: {@code GET /v1/users[/{name}]}, {@code POST /v1/users} ({@code {"name",
 * "roles", "password"?}}; without a password one is generated and returned once), {@code PUT
 * /v1/users/{name}} ({@code If-Match} the revision; new {@code roles} and optionally a new {@code
 * password}), {@code DELETE /v1/users/{name}}. Every change is audited with the user before and
 * after (never the hash). A role that does not exist (yet) grants nothing; the answer lists such
 * roles as {@code unknownRoles}.
 */
final class UsersApi {
  private static final int BODY_LIMIT = 16 * 1024;
  private static final int MAX_ROLES = 64;

  private final UserDirectory directory;
  private final PasswordHasher hasher;
  private final DocumentWriter writer;
  private final AuditLog audit;
  private final ApiGuard guard;
  private final Clock clock;

  UsersApi(
      UserDirectory directory,
      PasswordHasher hasher,
      DocumentWriter writer,
      AuditLog audit,
      ApiGuard guard,
      Clock clock) {
    this.directory = directory;
    this.hasher = hasher;
    this.writer = writer;
    this.audit = audit;
    this.guard = guard;
    this.clock = clock;
  }

  void mount(Router r) {
    r.get("/v1/users").handler(guard.requires(ApiResource.USERS, Verb.LIST)).handler(this::list);
    r.get("/v1/users/:name")
        .handler(guard.requires(ApiResource.USERS, Verb.READ))
        .handler(this::get);
    r.post("/v1/users")
        .handler(BodyHandler.create().setBodyLimit(BODY_LIMIT))
        .handler(guard.requires(ApiResource.USERS, Verb.CREATE))
        .handler(guard.write())
        .handler(ctx -> write(ctx, null));
    r.put("/v1/users/:name")
        .handler(BodyHandler.create().setBodyLimit(BODY_LIMIT))
        .handler(guard.requires(ApiResource.USERS, Verb.UPDATE))
        .handler(guard.write())
        .handler(ctx -> write(ctx, ctx.pathParam("name")));
    r.delete("/v1/users/:name")
        .handler(guard.requires(ApiResource.USERS, Verb.DELETE))
        .handler(guard.delete())
        .handler(this::delete);
  }

  private void list(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    directory.users().forEach(u -> out.add(json(u)));
    Responses.json(ctx, 200, out);
  }

  private void get(RoutingContext ctx) {
    User user = existing(ctx.pathParam("name"));
    ctx.response().putHeader(HttpHeaders.ETAG, Revisions.etag(user.getRevision()));
    Responses.json(ctx, 200, json(user));
  }

  private void write(RoutingContext ctx, String pathName) {
    Principal by = ApiGuard.principal(ctx);
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new Refusal(ErrorCode.BAD_REQUEST, "a user is a JSON object: " + e.getMessage());
    }
    if (body == null) {
      throw new Refusal(ErrorCode.BAD_REQUEST, "a user is a JSON object, got nothing");
    }
    String name = pathName != null ? pathName : string(body, "name");
    if (name == null) {
      throw new Refusal(ErrorCode.BAD_REQUEST, "missing \"name\"");
    }
    try {
      UserNames.check(name);
    } catch (IllegalArgumentException e) {
      throw new Refusal(ErrorCode.BAD_REQUEST, e.getMessage());
    }
    List<String> roles = roles(body);
    String ifMatch = ctx.request().getHeader(HttpHeaders.IF_MATCH);
    if (pathName != null && ifMatch == null) {
      throw new Refusal(
          ErrorCode.VERSION_MISMATCH, "a change of user " + name + " needs If-Match: its revision");
    }
    String given = string(body, "password");
    if (given != null) {
      PasswordHasher.weakness(given.toCharArray())
          .ifPresent(
              w -> {
                throw new Refusal(ErrorCode.BAD_REQUEST, "password: " + w);
              });
    }
    String remote = ClientAddress.of(ctx.request());
    writer
        .serialized(
            Topic.USERS,
            name,
            () -> {
              Optional<User> before = directory.user(name);
              Revisions.Change change =
                  Revisions.change(before.map(User::getRevision), ifMatch, "user " + name);
              boolean generated = given == null && change == Revisions.Change.CREATE;
              char[] password =
                  generated
                      ? PasswordHasher.randomPassword()
                      : given == null ? null : given.toCharArray();
              return ctx.vertx()
                  .executeBlocking(() -> password == null ? null : hasher.hash(password), false)
                  .compose(
                      hash -> {
                        Instant now = clock.instant();
                        User after =
                            User.newBuilder()
                                .setName(name)
                                .setRoles(roles)
                                .setPasswordHash(
                                    hash != null
                                        ? hash
                                        : before.map(User::getPasswordHash).orElse(null))
                                .setOrigin(before.map(User::getOrigin).orElse("local"))
                                .setRevision(before.map(u -> u.getRevision() + 1).orElse(1L))
                                .setCreatedAt(before.map(User::getCreatedAt).orElse(now))
                                .setUpdatedAt(now)
                                .setUpdatedBy(by.user())
                                .build();
                        return writer
                            .write(Topic.USERS, name, after, "user " + name)
                            .map(
                                v -> {
                                  audit.accountChanged(
                                      change == Revisions.Change.CREATE
                                          ? AuditLog.USER_CREATE
                                          : AuditLog.USER_UPDATE,
                                      "user/" + name,
                                      by.user(),
                                      before.map(u -> json(u).encode()).orElse(null),
                                      json(after).encode(),
                                      remote);
                                  JsonObject out = json(after);
                                  // Not refused: a role written a moment ago may not have reached
                                  // this proxy yet.
                                  JsonArray unknown = new JsonArray();
                                  roles.stream()
                                      .filter(r -> directory.role(r).isEmpty())
                                      .forEach(unknown::add);
                                  if (!unknown.isEmpty()) {
                                    out.put("unknownRoles", unknown);
                                  }
                                  if (generated) {
                                    out.put("password", new String(password));
                                  }
                                  if (password != null) {
                                    Arrays.fill(password, '\0');
                                  }
                                  return new Written(
                                      out, after.getRevision(), change == Revisions.Change.CREATE);
                                });
                      });
            })
        .onSuccess(
            w -> {
              ctx.response()
                  .putHeader(HttpHeaders.ETAG, Revisions.etag(w.revision()))
                  .putHeader(HttpHeaders.LOCATION, "/v1/users/" + name)
                  .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
              Responses.json(ctx, w.created() ? 201 : 200, w.body());
            })
        .onFailure(ctx::fail);
  }

  /** What a write answers with. */
  private record Written(JsonObject body, long revision, boolean created) {}

  private void delete(RoutingContext ctx) {
    User before = existing(ctx.pathParam("name"));
    writer.deleteAccount(
        ctx,
        Topic.USERS,
        "user/" + before.getName(),
        json(before).encode(),
        audit,
        AuditLog.USER_DELETE);
  }

  private User existing(String name) {
    return directory
        .user(name)
        .orElseThrow(() -> new Refusal(ErrorCode.NOT_FOUND, "no user " + name));
  }

  private List<String> roles(JsonObject body) {
    Object value = body.getValue("roles");
    if (!(value instanceof JsonArray array)) {
      throw new Refusal(
          ErrorCode.BAD_REQUEST, "\"roles\" must be a list of role names, e.g. [\"dev\"]");
    }
    if (array.size() > MAX_ROLES) {
      throw new Refusal(ErrorCode.BAD_REQUEST, "at most " + MAX_ROLES + " roles");
    }
    List<String> roles = new ArrayList<>();
    for (Object o : array) {
      if (!(o instanceof String role)) {
        throw new Refusal(ErrorCode.BAD_REQUEST, "\"roles\" must hold names (strings)");
      }
      if (!roles.contains(role)) {
        roles.add(role);
      }
    }
    return roles;
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

  static JsonObject json(User u) {
    return new JsonObject()
        .put("name", u.getName())
        .put("roles", new JsonArray(new ArrayList<>(u.getRoles())))
        .put("origin", u.getOrigin())
        .put("revision", u.getRevision())
        .put("createdAt", u.getCreatedAt().toString())
        .put("updatedAt", u.getUpdatedAt().toString())
        .put("updatedBy", u.getUpdatedBy());
  }
}
