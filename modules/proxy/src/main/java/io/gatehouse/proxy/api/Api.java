package io.gatehouse.proxy.api;

import io.gatehouse.access.Access;
import io.gatehouse.access.ApiResource;
import io.gatehouse.access.Credentials;
import io.gatehouse.access.PasswordHasher;
import io.gatehouse.access.Verb;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigProblem;
import io.gatehouse.events.Lock;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.TunnelPresence;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.pki.CaPin;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.auth.ApiGuard;
import io.gatehouse.proxy.auth.LoginApi;
import io.gatehouse.proxy.auth.Principal;
import io.gatehouse.proxy.auth.Revocations;
import io.gatehouse.proxy.auth.UserDirectory;
import io.gatehouse.proxy.ingress.Failures;
import io.gatehouse.proxy.join.AgentJoin;
import io.gatehouse.proxy.join.JoinTokens;
import io.gatehouse.proxy.listener.ClientAddress;
import io.gatehouse.proxy.lock.Locks;
import io.gatehouse.proxy.publish.EventPublisher;
import io.gatehouse.proxy.routing.AgentStatus;
import io.gatehouse.proxy.routing.Ejections;
import io.gatehouse.proxy.routing.ResourceLabels;
import io.gatehouse.proxy.routing.ResourceListing;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.proxy.routing.RoutingFailure;
import io.gatehouse.proxy.routing.RoutingTable;
import io.gatehouse.proxy.session.SessionPins;
import io.gatehouse.proxy.tunnel.TunnelMesh;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.Wire;
import io.gatehouse.state.Materializer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The REST API on the web port (docs/proxy.md): resources (list, get, create or replace, delete),
 * locks and agent join tokens ({@link LocksApi}, {@link TokensApi}), users and roles, agents,
 * sessions, server-sent events of state changes, health, readiness, Prometheus metrics, and the web
 * dashboard at {@code /}. Reads come from local state: listings scan it through {@link
 * ResourceListing}, always off the event loop; writes go to Kafka and answer once Kafka
 * acknowledged them. Every failure is answered by one failure handler, through {@link
 * Failures#verdict}, as {@code {"status","code","error"}} ({@code error} is the sentence for
 * people, {@code code} the {@code Gatehouse-Error} code for programs).
 *
 * <p>Everything but {@code /healthz}, {@code /readyz}, the login and the agents' join (which
 * carries its own token) needs a logged-in user whose roles allow the route's verb on its resource
 * ({@link ApiGuard}); listings show only resources the user may open.
 */
public final class Api {
  /** A resource document is a few hundred bytes; its labels are bounded (ResourceRules). */
  private static final long BODY_LIMIT = 64 * 1024;

  private final String proxyId;
  private final Clock clock;
  private final RoutingTable table;
  private final ResourceListing listing;
  private final TunnelMesh mesh;
  private final Ejections ejections;
  private final SessionPins pins;
  private final AuditLog audit;
  private final EventPublisher publisher;
  private final Materializer materializer;
  private final Optional<PrometheusMeterRegistry> prometheus;
  private final EventStream events;
  private final Dashboard dashboard;

  /** A join request is a token, an id, a few kinds and a CSR: a few KiB at most. */
  private static final int JOIN_BODY_LIMIT = 16 * 1024;

  private static final String HSTS = "Strict-Transport-Security";

  private final AgentJoin join;

  /** True once a graceful stop has begun: {@code /readyz} answers 503 from then on. */
  private final java.util.function.BooleanSupplier stopping;

  /** Readiness waits for the agents to come back to a proxy that has just started. */
  private final io.gatehouse.proxy.tunnel.AgentArrivals arrivals;

  /** What the API authenticates and authorizes with, and the account routes it mounts. */
  public record Security(
      io.gatehouse.proxy.auth.HostCheck hosts,
      ApiGuard guard,
      ResourceLabels labels,
      UserDirectory directory,
      PasswordHasher hasher,
      io.gatehouse.proxy.auth.IdentityAssertions assertions,
      io.gatehouse.proxy.auth.AppLogin appLogin,
      LoginApi login,
      io.gatehouse.proxy.auth.SsoLogin sso) {}

  /**
   * What the operators' routes manage: locks, join tokens, the CA pin joins check, and the agents
   * connected here (which a drain is asked of).
   */
  public record Operations(
      Locks locks,
      JoinTokens tokens,
      CaPin caPin,
      io.gatehouse.proxy.tunnel.AgentTunnels tunnels) {}

  private final Security security;
  private final ApiGuard guard;
  private final LocksApi locks;
  private final DrainApi drains;
  private final TokensApi tokens;
  private final Revocations revocations;
  private final DocumentWriter writer;
  private final UsersApi users;
  private final RolesApi roles;
  private final io.gatehouse.proxy.auth.UserWrites userWrites;

  public Api(
      String proxyId,
      Clock clock,
      RoutingTable table,
      ResourceListing listing,
      TunnelMesh mesh,
      Ejections ejections,
      SessionPins pins,
      AuditLog audit,
      EventPublisher publisher,
      Materializer materializer,
      MeterRegistry registry,
      AgentJoin join,
      Security security,
      Operations operations,
      int maxEventSubscribers,
      io.gatehouse.proxy.tunnel.AgentArrivals arrivals,
      java.util.function.BooleanSupplier stopping) {
    this.security = security;
    this.guard = security.guard();
    this.writer = new DocumentWriter(publisher, materializer.changes());
    this.locks = new LocksApi(operations.locks(), writer, audit, guard, clock);
    this.drains = new DrainApi(proxyId, operations.tunnels(), mesh, audit, guard);
    this.tokens = new TokensApi(operations.tokens(), operations.caPin(), writer, guard, clock);
    // A logout's lock on its credential lasts as long as the credential could still verify.
    this.revocations =
        credential -> {
          String target = Locks.CREDENTIAL + credential.id();
          Lock lock =
              Lock.newBuilder()
                  .setTarget(target)
                  .setReason("logged out")
                  .setCreatedBy(credential.user())
                  .setCreatedAt(clock.instant())
                  .setExpiresAt(credential.expiresAt().plus(Credentials.CLOCK_SKEW))
                  .build();
          return writer.serialized(
              Topic.LOCKS,
              target,
              () ->
                  writer.write(
                      Topic.LOCKS,
                      target,
                      lock,
                      "the revocation of a credential of " + credential.user()));
        };
    this.users = new UsersApi(security.directory(), security.hasher(), writer, audit, guard, clock);
    this.roles = new RolesApi(security.directory(), writer, audit, guard, clock);
    // Single sign-on writes its users in line with the API's writes of them.
    this.userWrites =
        (name, change) ->
            writer.serialized(
                Topic.USERS,
                name,
                () -> {
                  Optional<io.gatehouse.events.User> before = security.directory().user(name);
                  io.gatehouse.events.User after = change.apply(before);
                  if (before.isPresent() && before.get() == after) {
                    return Future.succeededFuture(after);
                  }
                  return writer.write(Topic.USERS, name, after, "user " + name).map(after);
                });
    this.proxyId = proxyId;
    this.stopping = stopping;
    this.arrivals = arrivals;
    this.join = join;
    this.clock = clock;
    this.table = table;
    this.listing = listing;
    this.mesh = mesh;
    this.ejections = ejections;
    this.pins = pins;
    this.audit = audit;
    this.publisher = publisher;
    this.materializer = materializer;
    this.prometheus = prometheus(registry);
    this.events =
        new EventStream(
            materializer.changes(),
            proxyId,
            new ProxyStatus(proxyId, materializer, table),
            new EventVisibility(security.labels(), security.directory()),
            maxEventSubscribers);
    this.dashboard = Dashboard.load();
  }

  /** A router for one event loop; routers are cheap, and each verticle gets its own. */
  public Router router(Vertx vertx) {
    Router r = Router.router(vertx);
    r.route()
        .handler(
            ctx -> {
              // Browsers keep to HTTPS for the proxy and every app under it from the first visit.
              ctx.response().putHeader(HSTS, "max-age=31536000; includeSubDomains");
              ctx.next();
            });
    r.route().handler(security.hosts());
    r.get("/healthz")
        .handler(ctx -> json(ctx, 200, new JsonObject().put("status", "ok").put("proxy", proxyId)));
    r.get("/readyz").handler(this::ready);
    r.get("/metrics")
        .handler(guard.requires(ApiResource.METRICS, Verb.READ))
        .handler(this::metrics);
    r.get("/v1/resources")
        .handler(guard.requires(ApiResource.RESOURCES, Verb.LIST))
        .handler(this::listResources);
    r.post("/v1/resources")
        .handler(BodyHandler.create().setBodyLimit(BODY_LIMIT))
        .handler(guard.requires(ApiResource.RESOURCES, Verb.CREATE))
        .handler(guard.write())
        .handler(this::putResource);
    r.get("/v1/resources/:kind/:name")
        .handler(guard.requires(ApiResource.RESOURCES, Verb.READ))
        .handler(this::getResource);
    r.delete("/v1/resources/:kind/:name")
        .handler(guard.requires(ApiResource.RESOURCES, Verb.DELETE))
        .handler(guard.delete())
        .handler(this::deleteResource);
    r.get("/v1/agents")
        .handler(guard.requires(ApiResource.AGENTS, Verb.LIST))
        .handler(this::agents);
    r.post(Wire.AGENT_JOIN_PATH)
        .handler(BodyHandler.create().setBodyLimit(JOIN_BODY_LIMIT))
        .handler(join::handle);
    r.get("/v1/sessions")
        .handler(guard.requires(ApiResource.SESSIONS, Verb.LIST))
        .handler(this::sessions);
    r.get("/v1/events").handler(guard.authenticated()).handler(events::handle);
    security.login().mount(r, revocations);
    security.sso().mount(r, userWrites);
    r.get(io.gatehouse.proxy.auth.IdentityAssertions.JWKS_PATH)
        .handler(security.assertions()::jwks);
    r.get(io.gatehouse.proxy.auth.AppLogin.START_PATH).handler(security.appLogin()::start);
    users.mount(r);
    roles.mount(r);
    locks.mount(r);
    drains.mount(r);
    tokens.mount(r);
    r.get("/").handler(dashboard::index);
    r.get("/dashboard/:file").handler(dashboard::asset);
    r.route()
        .last()
        .handler(
            ctx ->
                ctx.fail(
                    new Refusal(
                        ErrorCode.NOT_FOUND,
                        "no endpoint " + ctx.request().method() + " " + ctx.request().path())));
    r.route().failureHandler(this::failure);
    return r;
  }

  private void ready(RoutingContext ctx) {
    boolean stopping = this.stopping.getAsBoolean();
    boolean caughtUp = materializer.isCaughtUp();
    boolean settled = arrivals.settled();
    boolean ready = caughtUp && settled && !stopping;
    json(
        ctx,
        ready ? 200 : 503,
        new JsonObject()
            .put("ready", ready)
            .put("stopping", stopping)
            .put("agentsAwaited", caughtUp && !settled ? arrivals.awaited().size() : 0)
            .put("proxy", proxyId)
            .put("kafkaReachable", materializer.isKafkaReachable())
            .put("seenUpTo", table.seenUpTo().toString()));
  }

  private void metrics(RoutingContext ctx) {
    if (prometheus.isEmpty()) {
      ctx.fail(
          new Refusal(
              ErrorCode.NOT_FOUND,
              "metrics are not exported: the proxy runs with a registry that is not Prometheus"));
      return;
    }
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
        .end(prometheus.get().scrape());
  }

  private void listResources(RoutingContext ctx) {
    Optional<ResourceKind> kind;
    List<String> kinds = ctx.queryParam("kind");
    if (kinds.isEmpty()) {
      kind = Optional.empty();
    } else {
      kind = ResourceKind.parse(kinds.get(0));
      if (kind.isEmpty()) {
        ctx.fail(
            new Refusal(
                ErrorCode.BAD_REQUEST,
                "unknown kind '" + kinds.get(0) + "' (expected app, db, desktop or kube)"));
        return;
      }
    }
    Optional<ResourceKind> k = kind;
    Access access = ApiGuard.principal(ctx).access();
    blocking(
            ctx,
            () -> {
              Map<ResourceRef, List<AgentStatus>> served = listing.all(k);
              Map<String, ResourceRef> refs = new TreeMap<>();
              Map<ResourceRef, ResourceDefinition> defined = new java.util.HashMap<>();
              served.keySet().forEach(ref -> refs.put(ref.key(), ref));
              for (ResourceDefinition d : listing.definitions(k)) {
                ResourceKind.parse(d.getKind())
                    .ifPresent(
                        dk -> {
                          ResourceRef ref = new ResourceRef(dk, d.getName());
                          refs.put(ref.key(), ref);
                          defined.put(ref, d);
                        });
              }
              JsonArray out = new JsonArray();
              for (ResourceRef ref : refs.values()) {
                if (!access.mayOpen(ref.kind(), security.labels().of(ref))) {
                  continue;
                }
                out.add(
                    ResourceJson.resource(
                        ref,
                        Optional.ofNullable(defined.get(ref)),
                        served.getOrDefault(ref, List.of()),
                        security.hosts().publicHost()));
              }
              return out;
            })
        .onSuccess(out -> json(ctx, 200, out))
        .onFailure(ctx::fail);
  }

  private void getResource(RoutingContext ctx) {
    ResourceRef ref = ref(ctx);
    if (ref == null) {
      return;
    }
    mayOpen(ctx, ref, "read");
    blocking(
            ctx,
            () -> {
              List<AgentStatus> agents = listing.agents(ref);
              Optional<ResourceDefinition> definition = listing.definition(ref);
              if (agents.isEmpty() && definition.isEmpty()) {
                throw new RoutingFailure(RoutingFailure.Reason.UNKNOWN_RESOURCE, ref, List.of());
              }
              definition.ifPresent(
                  d -> ctx.response().putHeader(HttpHeaders.ETAG, Revisions.etag(d.getRevision())));
              return ResourceJson.resource(ref, definition, agents, security.hosts().publicHost());
            })
        .onSuccess(out -> json(ctx, 200, out))
        .onFailure(ctx::fail);
  }

  private void putResource(RoutingContext ctx) {
    String body = ctx.body().asString();
    ResourceDocument doc;
    try {
      doc = ResourceDocument.parse(body == null ? "" : body, "request body");
    } catch (ConfigException e) {
      ctx.fail(e);
      return;
    }
    Principal by = ApiGuard.principal(ctx);
    ResourceRef ref = doc.resource();
    // No one creates what they could not open, nor moves a resource out of their own reach.
    Access.Decision decision = by.access().decideOpen(ref.kind(), doc.labels());
    if (!decision.allowed()) {
      audit.accessDenied(
          by.user(),
          ref.kind().word(),
          ref.name(),
          "create",
          decision.reason(),
          ClientAddress.of(ctx.request()));
      ctx.fail(
          new Refusal(
              ErrorCode.ACCESS_DENIED,
              by.user() + " may not create " + ref + ": " + decision.reason()));
      return;
    }
    String remote = ClientAddress.of(ctx.request());
    String ifMatch = ctx.request().getHeader(HttpHeaders.IF_MATCH);
    writer
        .serialized(
            Topic.RESOURCES,
            ref.key(),
            () ->
                blocking(
                        ctx,
                        () -> {
                          Optional<ResourceDefinition> before = listing.definition(ref);
                          Revisions.Change change =
                              Revisions.change(
                                  before.map(ResourceDefinition::getRevision),
                                  ifMatch,
                                  ref.toString());
                          if (change == Revisions.Change.UPDATE) {
                            if (!by.access().may(ApiResource.RESOURCES, Verb.UPDATE)) {
                              throw guard.denied(ctx, by, ApiResource.RESOURCES, Verb.UPDATE);
                            }
                            mayOpen(ctx, ref, "update");
                          }
                          return before;
                        })
                    .compose(
                        before -> {
                          ResourceDefinition definition =
                              doc.toDefinition(clock.instant(), by.user());
                          definition.setRevision(before.map(d -> d.getRevision() + 1).orElse(1L));
                          return write(ref, definition)
                              .map(
                                  v -> {
                                    audit.resourceChanged(
                                        before.isPresent()
                                            ? AuditLog.RESOURCE_UPDATE
                                            : AuditLog.RESOURCE_CREATE,
                                        ref,
                                        by.user(),
                                        before
                                            .map(d -> ResourceJson.definition(d).encode())
                                            .orElse(null),
                                        ResourceJson.definition(definition).encode(),
                                        remote);
                                    return definition;
                                  });
                        }))
        .onSuccess(
            definition -> {
              ctx.response()
                  .putHeader(HttpHeaders.LOCATION, "/v1/resources/" + ref.key())
                  .putHeader(HttpHeaders.ETAG, Revisions.etag(definition.getRevision()));
              json(
                  ctx,
                  definition.getRevision() == 1 ? 201 : 200,
                  ResourceJson.definition(definition));
            })
        .onFailure(ctx::fail);
  }

  /**
   * Refuses (audited) when the caller may not open {@code ref}: what they may not open, they may
   * not read, change or remove either.
   */
  private void mayOpen(RoutingContext ctx, ResourceRef ref, String action) {
    Principal p = ApiGuard.principal(ctx);
    Access.Decision d = p.access().decideOpen(ref.kind(), security.labels().of(ref));
    if (!d.allowed()) {
      audit.accessDenied(
          p.user(),
          ref.kind().word(),
          ref.name(),
          action,
          d.reason(),
          ClientAddress.of(ctx.request()));
      throw new Refusal(
          ErrorCode.ACCESS_DENIED, p.user() + " may not " + action + " " + ref + ": " + d.reason());
    }
  }

  private void deleteResource(RoutingContext ctx) {
    ResourceRef ref = ref(ctx);
    if (ref == null) {
      return;
    }
    mayOpen(ctx, ref, "delete");
    String remote = ClientAddress.of(ctx.request());
    String by = ApiGuard.principal(ctx).user();
    blocking(
            ctx,
            () -> {
              Optional<ResourceDefinition> before = listing.definition(ref);
              if (before.isPresent()) {
                return before.get();
              }
              if (!listing.agents(ref).isEmpty()) {
                throw new Refusal(
                    ErrorCode.STATIC_RESOURCE,
                    ref
                        + " has no dynamic definition: it is served from agent configuration; remove it there");
              }
              throw new RoutingFailure(RoutingFailure.Reason.UNKNOWN_RESOURCE, ref, List.of());
            })
        .compose(before -> write(ref, null).map(before))
        .onSuccess(
            before -> {
              audit.resourceChanged(
                  AuditLog.RESOURCE_DELETE,
                  ref,
                  by,
                  ResourceJson.definition(before).encode(),
                  null,
                  remote);
              ctx.response().setStatusCode(204).end();
            })
        .onFailure(ctx::fail);
  }

  private void agents(RoutingContext ctx) {
    blocking(
            ctx,
            () -> {
              Map<String, Instant> ejected = ejections.current();
              // Every agent connected to a live proxy, and every agent a current heartbeat names
              // (it may have no tunnel anywhere: then it is listed as such).
              SortedMap<String, List<TunnelPresence>> connected = mesh.agents();
              SortedSet<String> agentIds = new TreeSet<>(connected.keySet());
              agentIds.addAll(table.servingAgents());
              Map<String, String> zones = table.agentZones();
              JsonArray out = new JsonArray();
              for (String agentId : agentIds) {
                JsonObject agent =
                    ResourceJson.agent(
                        agentId,
                        proxyId,
                        connected.getOrDefault(agentId, List.of()),
                        table.tunnel(agentId),
                        table.health(agentId),
                        ejected.get(agentId));
                String zone = zones.get(agentId);
                if (zone != null) {
                  agent.put("zone", zone);
                }
                out.add(agent);
              }
              return out;
            })
        .onSuccess(out -> json(ctx, 200, out))
        .onFailure(ctx::fail);
  }

  private void sessions(RoutingContext ctx) {
    blocking(
            ctx,
            () -> {
              JsonArray out = new JsonArray();
              pins.all().forEach(pin -> out.add(ResourceJson.session(pin)));
              return out;
            })
        .onSuccess(out -> json(ctx, 200, out))
        .onFailure(ctx::fail);
  }

  /** The one failure handler of the API: status, code and message from {@link Failures#verdict}. */
  private void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure == null) {
      int status = ctx.statusCode() < 400 ? 500 : ctx.statusCode();
      failure = Refusal.ofStatus(status);
    }
    Failures.Verdict v = Failures.verdict(failure);
    JsonObject body =
        new JsonObject().put("status", v.status()).put("code", v.code()).put("error", v.message());
    if (failure instanceof ConfigException c) {
      JsonArray problems = new JsonArray();
      for (ConfigProblem p : c.problems()) {
        problems.add(new JsonObject().put("field", p.path()).put("reason", p.reason()));
      }
      body.put("field", ResourceDocument.field(c)).put("problems", problems);
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    ctx.response().putHeader(Failures.ERROR_HEADER, v.code());
    json(ctx, v.status(), body);
  }

  private Future<Void> write(ResourceRef ref, ResourceDefinition definition) {
    return writer.write(Topic.RESOURCES, ref.key(), definition, ref.toString());
  }

  private static ResourceRef ref(RoutingContext ctx) {
    String kind = ctx.pathParam("kind");
    String name = ctx.pathParam("name");
    Optional<ResourceRef> ref = ResourceRef.parse(kind, name);
    if (ref.isEmpty()) {
      ctx.fail(
          new Refusal(
              ErrorCode.BAD_REQUEST,
              ResourceKind.parse(kind).filter(k -> k.word().equals(kind)).isEmpty()
                  ? "unknown kind '" + kind + "' (expected app, db, desktop or kube)"
                  : "invalid name '" + name + "': a DNS label"));
      return null;
    }
    return ref.get();
  }

  private static <T> Future<T> blocking(RoutingContext ctx, java.util.concurrent.Callable<T> work) {
    return ctx.vertx().executeBlocking(work, false);
  }

  private static void json(RoutingContext ctx, int status, Object body) {
    Responses.json(ctx, status, body);
  }

  private static Optional<PrometheusMeterRegistry> prometheus(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry p) {
      return Optional.of(p);
    }
    if (registry instanceof CompositeMeterRegistry c) {
      return c.getRegistries().stream()
          .filter(PrometheusMeterRegistry.class::isInstance)
          .map(PrometheusMeterRegistry.class::cast)
          .findFirst();
    }
    return Optional.empty();
  }
}
