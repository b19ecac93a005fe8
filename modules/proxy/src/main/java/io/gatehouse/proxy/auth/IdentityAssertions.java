package io.gatehouse.proxy.auth;

import io.gatehouse.access.AppAssertions;
import io.gatehouse.events.ProxyAnnouncement;
import io.gatehouse.proxy.tunnel.ProxyDirectory;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The signed identity every relayed app request carries ({@value AppAssertions#HEADER}): an ES256
 * JWT of the user and their roles for that app, lasting {@link #LIFETIME}, signed with this proxy's
 * key. One assertion per user and app is reused for half its life, so a keep-alive stream of
 * requests costs one signature a half-minute, not one each. The public keys of every current proxy
 * (from their announcements) are served at {@value #JWKS_PATH}. Thread-safe.
 */
public final class IdentityAssertions {
  public static final String JWKS_PATH = "/.well-known/jwks.json";
  public static final Duration LIFETIME = Duration.ofSeconds(60);
  private static final int MAX_CACHED = 10_000;

  private final AppAssertions signer;
  private final ProxyDirectory proxies;
  private final Clock clock;
  private final Map<String, Signed> cache = new ConcurrentHashMap<>();

  private record Signed(String token, Instant renewAt) {}

  public IdentityAssertions(AppAssertions signer, ProxyDirectory proxies, Clock clock) {
    this.signer = signer;
    this.proxies = proxies;
    this.clock = clock;
  }

  /** This proxy's public key, as announced. */
  public String publicJwk() {
    return signer.publicJwkJson();
  }

  /** The assertion for {@code user} with {@code roles} at app {@code app}. */
  public String assertion(String user, List<String> roles, String app) {
    String slot = user + '\0' + app + '\0' + String.join(",", roles);
    Instant now = clock.instant();
    Signed s = cache.get(slot);
    if (s == null || !now.isBefore(s.renewAt())) {
      if (cache.size() >= MAX_CACHED) {
        cache.clear();
      }
      s = new Signed(signer.sign(user, roles, app, LIFETIME), now.plus(LIFETIME.dividedBy(2)));
      cache.put(slot, s);
    }
    return s.token();
  }

  /** {@code GET /.well-known/jwks.json}: every current proxy's key, this one's first. */
  public void jwks(RoutingContext ctx) {
    Set<String> keys = new LinkedHashSet<>();
    keys.add(signer.publicJwkJson());
    for (ProxyAnnouncement a : proxies.current()) {
      if (a.getAssertionKey() != null) {
        keys.add(a.getAssertionKey());
      }
    }
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "max-age=60")
        .end(AppAssertions.jwksJson(new ArrayList<>(keys)) + "\n");
  }
}
