package io.gatehouse.proxy.join;

import io.gatehouse.events.Lock;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.pki.AgentCsr;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.Pem;
import io.gatehouse.pki.PkiException;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.lock.Locks;
import io.gatehouse.proxy.tunnel.ControlStream;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /v1/agent/join}: an agent that has a join token and the CA pin, but no certificate
 * yet, sends {@code {"token", "agent_id", "kinds", "csr"}} over TLS (having checked the proxy's CA
 * against its pin) and gets {@code {"certificate", "ca"}} back: a certificate naming its id and the
 * kinds the token allows, for {@link #LIFETIME}. Refused with {@code 403 join-refused} and a reason
 * naming the token's public id (never the token) when the token is unknown, removed, expired, used
 * up or for other kinds, or when the id joined before with another key. Every decision is audited
 * by {@link JoinTokens}.
 */
public final class AgentJoin {
  /** How long a joined agent's certificate lasts; it is renewed over the tunnel before it ends. */
  public static final Duration LIFETIME = ControlStream.CERTIFICATE_LIFETIME;

  private final ClusterCa ca;
  private final JoinTokens tokens;
  private final AgentKeys keys;
  private final Locks locks;

  public AgentJoin(ClusterCa ca, JoinTokens tokens, AgentKeys keys, Locks locks) {
    this.ca = ca;
    this.tokens = tokens;
    this.keys = keys;
    this.locks = locks;
  }

  /** Handles one join request; answers or fails the context (the API maps failures to JSON). */
  public void handle(RoutingContext ctx) {
    Request request;
    try {
      request = Request.parse(ctx.body().asString());
    } catch (IllegalArgumentException e) {
      ctx.fail(new Refusal(ErrorCode.BAD_REQUEST, e.getMessage()));
      return;
    }
    Optional<Lock> lock = locks.agent(request.agentId());
    if (lock.isPresent()) {
      ctx.fail(new Refusal(ErrorCode.JOIN_REFUSED, Locks.describe(lock.get())));
      return;
    }
    String pin = AgentKeys.pin(request.csr().publicKey());
    String bound = keys.pinOf(request.agentId()).orElse(null);
    if (bound != null && !bound.equals(pin)) {
      ctx.fail(
          new Refusal(
              ErrorCode.JOIN_REFUSED,
              "agent id "
                  + request.agentId()
                  + " has joined with another key; a second agent cannot take its id"));
      return;
    }
    Future.fromCompletionStage(tokens.redeem(request.token(), request.agentId(), request.kinds()))
        .compose(
            grant -> {
              Set<String> kinds = new HashSet<>();
              grant.kinds().forEach(k -> kinds.add(k.word()));
              X509Certificate leaf =
                  ca.signAgent(request.csr(), request.agentId(), kinds, LIFETIME);
              return Future.fromCompletionStage(keys.bind(request.agentId(), pin, grant.tokenId()))
                  .map(
                      v ->
                          new JsonObject()
                              .put("agent_id", request.agentId())
                              .put("kinds", new JsonArray(List.copyOf(kinds)))
                              .put("certificate", Pem.certificates(List.of(leaf, ca.certificate())))
                              .put("ca", Pem.certificates(List.of(ca.certificate()))));
            })
        .onSuccess(
            body -> ctx.response().putHeader("Content-Type", "application/json").end(body.encode()))
        .onFailure(e -> ctx.fail(verdict(e)));
  }

  private static Throwable verdict(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof JoinRefusedException refused) {
      return new Refusal(ErrorCode.JOIN_REFUSED, refused.getMessage());
    }
    if (cause instanceof PkiException pki) {
      return new Refusal(ErrorCode.BAD_REQUEST, pki.getMessage());
    }
    return cause;
  }

  /** A join request, checked for shape. */
  private record Request(String token, String agentId, Set<String> kinds, AgentCsr csr) {
    static Request parse(String body) {
      JsonObject json;
      try {
        json = body == null ? null : new JsonObject(body);
      } catch (DecodeException e) {
        throw new IllegalArgumentException("a join request is a JSON object: " + e.getMessage());
      }
      if (json == null) {
        throw new IllegalArgumentException("a join request is a JSON object");
      }
      String token = text(json, "token");
      String agentId = text(json, "agent_id");
      AgentCsr csr;
      try {
        csr = AgentCsr.parse(text(json, "csr"));
      } catch (PkiException e) {
        throw new IllegalArgumentException("csr: " + e.getMessage());
      }
      if (!csr.agentId().equals(agentId)) {
        throw new IllegalArgumentException(
            "csr names agent " + csr.agentId() + ", the request agent " + agentId);
      }
      Set<String> kinds = new HashSet<>();
      JsonArray list = json.getJsonArray("kinds", new JsonArray());
      for (Object k : list) {
        if (!(k instanceof String word) || ResourceKind.parse(word).isEmpty()) {
          throw new IllegalArgumentException(
              "kinds: '" + k + "' is not a resource kind (app, db, desktop or kube)");
        }
        kinds.add(word);
      }
      return new Request(token, agentId, kinds, csr);
    }

    private static String text(JsonObject json, String key) {
      Object v = json.getValue(key);
      if (!(v instanceof String s) || s.isBlank()) {
        throw new IllegalArgumentException("missing " + key);
      }
      return s;
    }
  }
}
