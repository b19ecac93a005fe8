package io.gatehouse.proxy.api;

import io.gatehouse.access.ApiResource;
import io.gatehouse.access.Verb;
import io.gatehouse.config.Durations;
import io.gatehouse.events.EventException;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.pki.CaPin;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.auth.ApiGuard;
import io.gatehouse.proxy.auth.Principal;
import io.gatehouse.proxy.join.IssuedToken;
import io.gatehouse.proxy.join.JoinToken;
import io.gatehouse.proxy.join.JoinTokens;
import io.gatehouse.proxy.join.TokenRequest;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Agent join tokens through the API, as {@code gatehouse tokens} manages them: {@code GET
 * /v1/tokens} (every token, never its text: only what {@code tokens ls} shows), {@code POST
 * /v1/tokens} ({@code {"kinds": ["app"], "ttl": "30m", "uses": 1, "description": …}}; the answer
 * carries the token's text, this once, and the CA pin an agent checks the proxy by), {@code DELETE
 * /v1/tokens/{id}}. Issued and removed tokens are audited ({@code token.create}, {@code
 * token.delete}) naming the caller; each answer comes once this proxy's table shows the change.
 */
final class TokensApi {
  private static final int BODY_LIMIT = 4 * 1024;

  private final JoinTokens tokens;
  private final CaPin caPin;
  private final DocumentWriter writer;
  private final ApiGuard guard;
  private final Clock clock;

  TokensApi(JoinTokens tokens, CaPin caPin, DocumentWriter writer, ApiGuard guard, Clock clock) {
    this.tokens = tokens;
    this.caPin = caPin;
    this.writer = writer;
    this.guard = guard;
    this.clock = clock;
  }

  void mount(Router r) {
    r.get("/v1/tokens").handler(guard.requires(ApiResource.TOKENS, Verb.LIST)).handler(this::list);
    r.post("/v1/tokens")
        .handler(BodyHandler.create().setBodyLimit(BODY_LIMIT))
        .handler(guard.requires(ApiResource.TOKENS, Verb.CREATE))
        .handler(guard.write())
        .handler(this::add);
    r.delete("/v1/tokens/:id")
        .handler(guard.requires(ApiResource.TOKENS, Verb.DELETE))
        .handler(guard.delete())
        .handler(this::remove);
  }

  private void list(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    tokens.tokens().forEach(t -> out.add(json(t)));
    Responses.json(ctx, 200, out);
  }

  private void add(RoutingContext ctx) {
    Principal by = ApiGuard.principal(ctx);
    TokenRequest request = request(ctx, by.user());
    Future.fromCompletionStage(tokens.add(request))
        .compose(
            issued ->
                writer
                    .visible(Topic.TOKENS, () -> tokens.token(issued.info().id()).isPresent())
                    .map(issued))
        .onSuccess(
            issued -> {
              ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
              Responses.json(ctx, 201, issued(issued));
            })
        .onFailure(ctx::fail);
  }

  private void remove(RoutingContext ctx) {
    String by = ApiGuard.principal(ctx).user();
    String id = ctx.pathParam("id");
    if (tokens.token(id).isEmpty()) {
      throw new Refusal(ErrorCode.NOT_FOUND, "no join token with id '" + id + "'");
    }
    Future.fromCompletionStage(tokens.remove(id, by))
        .compose(removed -> writer.visible(Topic.TOKENS, () -> tokens.token(id).isEmpty()))
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  /** The request of {@code {"kinds", "ttl"?, "uses"?, "description"?}}, or a 400 saying why not. */
  private static TokenRequest request(RoutingContext ctx, String by) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      body = null;
    }
    if (body == null) {
      throw new Refusal(
          ErrorCode.BAD_REQUEST,
          "a join token request is a JSON object, e.g. {\"kinds\": [\"app\"], \"ttl\": \"30m\"}");
    }
    if (!(body.getValue("kinds") instanceof JsonArray words) || words.isEmpty()) {
      throw new Refusal(
          ErrorCode.BAD_REQUEST, "\"kinds\" must list kinds: app, db, desktop or kube");
    }
    Set<ResourceKind> kinds = EnumSet.noneOf(ResourceKind.class);
    for (Object w : words) {
      try {
        kinds.add(ResourceKind.of(w instanceof String s ? s.strip() : String.valueOf(w)));
      } catch (EventException e) {
        throw new Refusal(ErrorCode.BAD_REQUEST, "kinds: " + e.getMessage());
      }
    }
    Duration ttl = TokenRequest.DEFAULT_TTL;
    Object t = body.getValue("ttl");
    if (t != null) {
      try {
        ttl = Durations.parse(t instanceof String s ? s : String.valueOf(t));
      } catch (IllegalArgumentException e) {
        throw new Refusal(ErrorCode.BAD_REQUEST, "ttl: " + e.getMessage());
      }
    }
    Object uses = body.getValue("uses");
    if (uses != null && !(uses instanceof Integer)) {
      throw new Refusal(ErrorCode.BAD_REQUEST, "\"uses\" must be a whole number");
    }
    Object description = body.getValue("description");
    if (description != null && !(description instanceof String)) {
      throw new Refusal(ErrorCode.BAD_REQUEST, "\"description\" must be a string");
    }
    try {
      return new TokenRequest(
          kinds,
          ttl,
          uses == null ? OptionalInt.empty() : OptionalInt.of((Integer) uses),
          by,
          (String) description);
    } catch (IllegalArgumentException e) {
      throw new Refusal(ErrorCode.BAD_REQUEST, e.getMessage());
    }
  }

  private JsonObject issued(IssuedToken issued) {
    JoinToken t = issued.info();
    return new JsonObject()
        .put("token", issued.token())
        .put("id", t.id())
        .put("kinds", kinds(t.kinds()))
        .put("created", t.createdAt().toString())
        .put("expires", t.expiresAt().toString())
        .put("max_uses", t.maxUses().isPresent() ? t.maxUses().getAsInt() : null)
        .put("ca_pin", caPin.toString());
  }

  private JsonObject json(JoinToken t) {
    return new JsonObject()
        .put("id", t.id())
        .put("kinds", kinds(t.kinds()))
        .put("created", t.createdAt().toString())
        .put("expires", t.expiresAt().toString())
        .put("uses", t.uses())
        .put("max_uses", t.maxUses().isPresent() ? t.maxUses().getAsInt() : null)
        .put("status", t.status(clock.instant()))
        .put("created_by", t.createdBy())
        .put("description", t.description());
  }

  private static JsonArray kinds(Set<ResourceKind> kinds) {
    JsonArray out = new JsonArray();
    kinds.stream().sorted().map(ResourceKind::word).forEach(out::add);
    return out;
  }
}
