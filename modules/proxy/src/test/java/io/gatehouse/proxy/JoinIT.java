package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.agent.Agent;
import io.gatehouse.agent.AgentException;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.pki.CertificateIdentity;
import io.gatehouse.pki.Pem;
import io.gatehouse.proxy.join.IssuedToken;
import io.gatehouse.proxy.join.JoinTokens;
import io.gatehouse.proxy.join.TokenRequest;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Agents join with a token through a real proxy over TLS pinned to the cluster CA, get a
 * certificate, and serve; every way a token can be wrong is refused with its own reason.
 */
class JoinIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  private static HostPort proxy;
  private static String pin;
  private static int upstream;

  @BeforeAll
  static void start() {
    HttpServer server = web.upstream(req -> req.response().end("joined"));
    upstream = server.actualPort();
    proxy = cluster.proxy("proxy-join").webAddress();
    cluster.awaitReady(proxy);
    pin = cluster.ca().pin().toString();
  }

  private static String app(String name) {
    return "app_service:\n  apps:\n    - { name: %s, uri: \"http://127.0.0.1:%d\" }"
        .formatted(name, upstream);
  }

  private static IssuedToken token(Set<ResourceKind> kinds, int uses) throws Exception {
    JoinTokens tokens = cluster.tokens();
    IssuedToken t =
        tokens
            .add(
                new TokenRequest(
                    kinds, Duration.ofMinutes(30), OptionalInt.of(uses), "join-it", null))
            .toCompletableFuture()
            .join();
    return t;
  }

  /**
   * Joins, retrying while the proxy has not yet read the new token from its topic (it refuses it as
   * unknown until then).
   */
  private static Agent joinOnceSeen(String id, String dir, String services, String token) {
    AtomicReference<Agent> agent = new AtomicReference<>();
    Eventually.within(Cluster.WAIT)
        .untilAsserted(() -> agent.set(cluster.joiningAgent(id, dir, services, token, pin)));
    return agent.get();
  }

  @Test
  void aTokenWithOneUseLetsOneAgentJoinAndServeThenRefusesTheNext() throws Exception {
    IssuedToken t = token(Set.of(ResourceKind.APP), 1);
    Agent first = joinOnceSeen("joiner-1", "a", app("joined"), t.token());
    cluster.awaitHealthy(proxy, "app", "joined", 1);
    assertThat(web.app(proxy, "joined", "/", null).body()).isEqualTo("joined");
    assertThat(first.connectedProxies()).isNotEmpty();

    assertThatThrownBy(() -> cluster.joiningAgent("joiner-2", "a", app("joined"), t.token(), pin))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("used up")
        .hasMessageContaining(t.info().id())
        .hasMessageNotContaining(t.token());

    // A restart needs no token: the key and certificate are in the data directory.
    first.close();
    cluster.joiningAgent("joiner-1", "a", app("joined"), "gh-join-" + "0".repeat(64), pin);
    cluster.awaitHealthy(proxy, "app", "joined", 1);
  }

  @Test
  void removedAndWrongKindTokensAreRefusedEachWithItsReason() throws Exception {
    IssuedToken removed = token(Set.of(ResourceKind.APP), 5);
    JoinTokens tokens = cluster.tokens();
    Eventually.within(Cluster.WAIT).until(() -> tokens.token(removed.info().id()).isPresent());
    cluster.tokens().remove(removed.info().id(), "join-it").toCompletableFuture().join();
    IssuedToken dbOnly = token(Set.of(ResourceKind.DB), 5);

    Eventually.within(Cluster.WAIT)
        .untilAsserted(
            () ->
                assertThatThrownBy(
                        () ->
                            cluster.joiningAgent(
                                "joiner-removed", "a", app("r"), removed.token(), pin))
                    .hasMessageContaining("unknown or removed"));
    Eventually.within(Cluster.WAIT)
        .untilAsserted(
            () ->
                assertThatThrownBy(
                        () ->
                            cluster.joiningAgent("joiner-kind", "a", app("k"), dbOnly.token(), pin))
                    .hasMessageContaining("app")
                    .hasMessageContaining("db"));
    Eventually.within(Cluster.WAIT)
        .untilAsserted(
            () ->
                assertThat(cluster.audit())
                    .filteredOn(e -> e.getType().equals("join.refused"))
                    .extracting(AuditEvent::getAgentId)
                    .contains("joiner-removed", "joiner-kind"));
  }

  @Test
  void aWrongCaPinMakesTheAgentRefuseTheProxy() throws Exception {
    IssuedToken t = token(Set.of(ResourceKind.APP), 1);
    String wrong = "sha256:" + "ab".repeat(32);
    assertThatThrownBy(() -> cluster.joiningAgent("joiner-pin", "a", app("p"), t.token(), wrong))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("does not present the cluster CA with pin " + wrong);
    // The token was never shown to that proxy, so it is still unused.
    assertThat(cluster.tokens().token(t.info().id()).orElseThrow().uses()).isZero();
  }

  @Test
  void aCertificateNearItsEndIsRenewedOverTheTunnel() throws Exception {
    // 20 s left of 80 (a minute of clock skew before now): due for renewal at once.
    Agent agent = cluster.agent("renewing", app("renewed"), Duration.ofSeconds(20));
    cluster.awaitHealthy(proxy, "app", "renewed", 1);
    Path cert = cluster.agentDir("renewing").resolve("agent.crt");
    Eventually.within(Cluster.WAIT)
        .until(
            () ->
                Pem.readCertificates(cert)
                    .get(0)
                    .getNotAfter()
                    .toInstant()
                    .isAfter(Instant.now().plus(Duration.ofHours(23))));
    // Same key, same id, from the same CA: the tunnels it dials from now on present it.
    assertThat(CertificateIdentity.of(Pem.readCertificates(cert).get(0)).id())
        .isEqualTo("renewing");
    assertThat(agent.connectedProxies()).isNotEmpty();
    assertThat(web.app(proxy, "renewed", "/", null).body()).isEqualTo("joined");
  }

  @Test
  void aSecondAgentCannotTakeAnIdThatJoinedWithAnotherKey() throws Exception {
    IssuedToken t = token(Set.of(ResourceKind.APP), 5);
    joinOnceSeen("joiner-twin", "a", app("twin"), t.token());
    // The same id from a fresh data directory: a new key.
    assertThatThrownBy(() -> cluster.joiningAgent("joiner-twin", "b", app("twin"), t.token(), pin))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("joined with another key");
  }
}
