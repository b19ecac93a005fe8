package io.gatehouse.oidc;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The provider's signing keys (its JWKS), fetched at discovery and again when an ID token names a
 * key the set lacks (a key rotation), but at most once a {@link #REFRESH_INTERVAL}, so tokens with
 * made-up key ids cannot make the proxy hammer the provider. A set older than {@link #MAX_AGE} is
 * fetched again before use, so a key the provider withdrew stops being trusted. Thread-safe.
 */
final class ProviderKeys {
  static final Duration REFRESH_INTERVAL = Duration.ofMinutes(1);
  static final Duration MAX_AGE = Duration.ofHours(1);

  private final URI jwksUri;
  private final ProviderHttp http;
  private final Clock clock;
  private JWKSet keys;
  private Instant fetchedAt;

  ProviderKeys(URI jwksUri, ProviderHttp http, Clock clock) {
    this.jwksUri = jwksUri;
    this.http = http;
    this.clock = clock;
    refresh();
  }

  /** The keys that could have signed a JWS with {@code header}; empty when none of them can. */
  synchronized List<JWK> keysFor(JWSHeader header) {
    JWKMatcher matcher = JWKMatcher.forJWSHeader(header);
    if (matcher == null) {
      return List.of();
    }
    JWKSelector selector = new JWKSelector(matcher);
    Instant now = clock.instant();
    if (!now.isBefore(fetchedAt.plus(MAX_AGE))) {
      refresh();
    }
    List<JWK> found = selector.select(keys);
    if (found.isEmpty() && !now.isBefore(fetchedAt.plus(REFRESH_INTERVAL))) {
      refresh();
      found = selector.select(keys);
    }
    return found;
  }

  private void refresh() {
    HTTPResponse response = http.send(new HTTPRequest(HTTPRequest.Method.GET, jwksUri), "JWKS");
    // Counted as a fetch even when it fails: a broken JWKS is not asked for again at once either.
    fetchedAt = clock.instant();
    if (response.getStatusCode() != 200) {
      throw new OidcException(
          "the provider's JWKS at "
              + ProviderHttp.where(jwksUri)
              + " answered HTTP "
              + response.getStatusCode());
    }
    try {
      keys = JWKSet.parse(Objects.toString(response.getBody(), "")).toPublicJWKSet();
    } catch (ParseException e) {
      throw new OidcException(
          "the provider's JWKS at "
              + ProviderHttp.where(jwksUri)
              + " is not a valid JWK set: "
              + e.getMessage());
    }
  }
}
