package io.gatehouse.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JWKS cache, and the ID token signature checks built on it, against a real HTTP server on
 * loopback whose key set the test rotates.
 */
class ProviderKeysIT {
  private final MutableClock clock = MutableClock.ofNow();
  private final AtomicReference<JWKSet> served = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private HttpServer server;
  private ProviderKeys keys;

  private static RSAKey key(String id) throws Exception {
    return new RSAKeyGenerator(2048).keyID(id).generate();
  }

  private static JWSHeader signedWith(String keyId) {
    return new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keyId).build();
  }

  @BeforeEach
  void serveKeys() throws Exception {
    served.set(new JWKSet(key("k1")));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/jwks",
        exchange -> {
          fetches.incrementAndGet();
          byte[] body = served.get().toPublicJWKSet().toString().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    URI jwks = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
    keys = new ProviderKeys(jwks, new ProviderHttp(null, Duration.ofSeconds(5)), clock);
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String idToken(RSAKey signer, String headerKeyId, JWSAlgorithm alg) throws Exception {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer("https://idp.example.com")
            .audience("gatehouse")
            .subject("sub-alice")
            .issueTime(Date.from(clock.instant()))
            .expirationTime(Date.from(clock.instant().plusSeconds(300)))
            .claim("nonce", "n-1")
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(headerKeyId).build(), claims);
    jwt.sign(new RSASSASigner(signer));
    return jwt.serialize();
  }

  private IdTokenCheck check() {
    return new IdTokenCheck(
        "https://idp.example.com", "gatehouse", Set.of(JWSAlgorithm.RS256), keys, clock);
  }

  @Test
  void anIdTokenSignedByAServedKeyPasses() throws Exception {
    RSAKey k1 = (RSAKey) served.get().getKeyByKeyId("k1");
    assertThat(check().check(idToken(k1, "k1", JWSAlgorithm.RS256), "n-1").getSubject())
        .isEqualTo("sub-alice");
  }

  @Test
  void anIdTokenSignedByAnotherKeyUnderAServedKeyIdIsRefused() throws Exception {
    String forged = idToken(key("k1"), "k1", JWSAlgorithm.RS256);
    assertThatThrownBy(() -> check().check(forged, "n-1"))
        .isInstanceOf(OidcException.class)
        .hasMessage("the ID token's signature does not verify with the provider's keys");
  }

  @Test
  void anIdTokenSignedByAKeyTheProviderNeverServedIsRefused() throws Exception {
    String foreign = idToken(key("elsewhere"), "elsewhere", JWSAlgorithm.RS256);
    assertThatThrownBy(() -> check().check(foreign, "n-1"))
        .isInstanceOf(OidcException.class)
        .hasMessage("no key in the provider's JWKS can verify the ID token (key id 'elsewhere')");
  }

  @Test
  void anAlgorithmTheProviderDidNotAnnounceIsRefused() throws Exception {
    RSAKey k1 = (RSAKey) served.get().getKeyByKeyId("k1");
    String ps256 = idToken(k1, "k1", JWSAlgorithm.PS256);
    assertThatThrownBy(() -> check().check(ps256, "n-1"))
        .isInstanceOf(OidcException.class)
        .hasMessageStartingWith("ID token signed with PS256, expected one of [RS256]");
    String unsigned =
        new PlainJWT(new JWTClaimsSet.Builder().issuer("https://idp.example.com").build())
            .serialize();
    assertThatThrownBy(() -> check().check(unsigned, "n-1"))
        .isInstanceOf(OidcException.class)
        .hasMessage("the provider sent an ID token that is not a signed JWT");
  }

  @Test
  void aKnownKeyIsFoundWithoutAskingAgain() {
    assertThat(keys.keysFor(signedWith("k1")))
        .singleElement()
        .extracting(k -> k.getKeyID())
        .isEqualTo("k1");
    assertThat(fetches).hasValue(1);
  }

  @Test
  void anUnknownKeyIdFetchesTheSetAgainAtMostOnceAMinute() throws Exception {
    served.set(new JWKSet(List.of(key("k1"), key("k2"))));

    // Within the first minute of the last fetch, an unknown key id is just unknown.
    assertThat(keys.keysFor(signedWith("k2"))).isEmpty();
    assertThat(fetches).hasValue(1);

    clock.advance(ProviderKeys.REFRESH_INTERVAL);
    assertThat(keys.keysFor(signedWith("k2"))).hasSize(1);
    assertThat(fetches).hasValue(2);

    // Made-up key ids do not make the proxy ask again and again.
    for (int i = 0; i < 5; i++) {
      assertThat(keys.keysFor(signedWith("made-up-" + i))).isEmpty();
    }
    assertThat(fetches).hasValue(2);
    clock.advance(ProviderKeys.REFRESH_INTERVAL);
    assertThat(keys.keysFor(signedWith("made-up"))).isEmpty();
    assertThat(fetches).hasValue(3);
  }

  @Test
  void aWithdrawnKeyIsNoLongerTrustedOnceTheSetIsOld() throws Exception {
    served.set(new JWKSet(key("k2")));
    clock.advance(ProviderKeys.MAX_AGE);

    assertThat(keys.keysFor(signedWith("k1"))).isEmpty();
    assertThat(fetches).hasValue(2);
  }
}
