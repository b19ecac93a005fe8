package io.gatehouse.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.config.ConfigException;
import io.gatehouse.config.HostPort;
import io.gatehouse.kafka.TopicReplication;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxyConfigTest {
  @TempDir Path dir;

  @Test
  void emptySectionGivesDocumentedDefaults() {
    ProxyConfig c = ProxyConfig.parse("proxy: {}", "proxy.yaml");
    assertThat(c.id()).matches("[A-Za-z0-9._-]+-[0-9a-f]{6}");
    assertThat(c.kafkaBootstrap()).isEqualTo("127.0.0.1:9092");
    assertThat(c.dataDir()).isEqualTo(Path.of(".gatehouse", "proxy-" + c.id()));
    assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 3080));
    assertThat(c.publicHost()).isEqualTo("localhost");
    assertThat(c.topicPrefix()).isEqualTo("gatehouse");
    assertThat(c.sessionIdleTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.ejectBackoff()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.responseTimeout()).isEqualTo(Duration.ofSeconds(75));
    assertThat(c.topicReplication()).isEqualTo(TopicReplication.SINGLE);
    assertThat(c.shutdownDelay()).isZero();
    assertThat(c.eventLoops()).isEqualTo(2 * Runtime.getRuntime().availableProcessors());
    assertThat(c.tunnelLanes()).isEqualTo(Math.min(16, c.eventLoops()));
  }

  @Test
  void lanesFollowTheEventLoopsUnlessGivenAndBadCountsAreRefusedAtTheirKey() {
    assertThat(ProxyConfig.parse("proxy: { event_loops: 3 }", "proxy.yaml").tunnelLanes())
        .isEqualTo(3);
    ProxyConfig c = ProxyConfig.parse("proxy: { event_loops: 3, tunnel_lanes: 1 }", "p.yaml");
    assertThat(c.eventLoops()).isEqualTo(3);
    assertThat(c.tunnelLanes()).isEqualTo(1);
    assertThatThrownBy(
            () -> ProxyConfig.parse("proxy: { event_loops: 0, tunnel_lanes: 17 }", "proxy.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.yaml: proxy.event_loops:")
        .hasMessageContaining("proxy.yaml: proxy.tunnel_lanes:");
  }

  @Test
  void generatedIdsDiffer() {
    assertThat(ProxyConfig.defaults().id()).isNotEqualTo(ProxyConfig.defaults().id());
  }

  @Test
  void everyKeyIsRead() {
    ProxyConfig c =
        ProxyConfig.parse(
            """
            proxy:
              id: proxy-1
              kafka: { bootstrap: "k1:9092, k2:9093", replication_factor: 3, min_insync_replicas: 2 }
              data_dir: /var/lib/gatehouse/proxy-1
              ca: { dir: /etc/gatehouse/ca }
              listen: "0.0.0.0:443"
              public_host: Gatehouse.Example.com
              topic_prefix: prod
              sessions: { idle_timeout: 1h }
              routing: { eject_backoff: 5s, response_timeout: 2m }
              shutdown_delay: 5s
            """,
            "proxy.yaml");
    assertThat(c.id()).isEqualTo("proxy-1");
    assertThat(c.shutdownDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.kafkaBootstrap()).isEqualTo("k1:9092,k2:9093");
    assertThat(c.topicReplication()).isEqualTo(new TopicReplication((short) 3, OptionalInt.of(2)));
    assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/gatehouse/proxy-1"));
    assertThat(c.caDir()).isEqualTo(Path.of("/etc/gatehouse/ca"));
    assertThat(c.listen()).isEqualTo(new HostPort("0.0.0.0", 443));
    assertThat(c.publicHost()).isEqualTo("gatehouse.example.com");
    assertThat(c.topicPrefix()).isEqualTo("prod");
    assertThat(c.sessionIdleTimeout()).isEqualTo(Duration.ofHours(1));
    assertThat(c.ejectBackoff()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.responseTimeout()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void badValuesAreReportedWithFileKeyPathAndReason() {
    assertThatThrownBy(
            () ->
                ProxyConfig.parse(
                    """
                    proxy:
                      id: "bad id"
                      listen: "localhost"
                      public_host: "example.com:3080"
                      sessions: { idle_timeout: 30 }
                      routing: { eject_bakoff: 1s, dial_timeout: 1s }
                    """,
                    "proxy.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.yaml: proxy.id: invalid proxy id 'bad id'")
        .hasMessageContaining("proxy.yaml: proxy.listen: expected host:port")
        .hasMessageContaining("proxy.yaml: proxy.public_host: invalid host name")
        .hasMessageContaining("proxy.yaml: proxy.sessions.idle_timeout: invalid duration '30'")
        .hasMessageContaining(
            "proxy.yaml: proxy.routing.eject_bakoff: unknown key (did you mean 'eject_backoff'?)")
        .hasMessageContaining(
            "proxy.yaml: proxy.routing.dial_timeout: proxies no longer dial agents: sessions open"
                + " as streams on the tunnels agents dial, which fail at once when a tunnel is gone;"
                + " remove this key");
  }

  @Test
  void aMinInsyncReplicasAboveTheReplicationFactorIsRefusedAtItsKey() {
    assertThatThrownBy(
            () ->
                ProxyConfig.parse(
                    "proxy: { kafka: { replication_factor: 2, min_insync_replicas: 3 } }",
                    "proxy.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "proxy.yaml: proxy.kafka.min_insync_replicas: must not exceed replication_factor (2)");
    assertThatThrownBy(
            () -> ProxyConfig.parse("proxy: { kafka: { min_insync_replicas: 0 } }", "proxy.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.yaml: proxy.kafka.min_insync_replicas:");
  }

  @Test
  void aShutdownDelayAboveFiveMinutesIsRefusedAtItsKey() {
    assertThatThrownBy(() -> ProxyConfig.parse("proxy: { shutdown_delay: 6m }", "proxy.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "proxy.yaml: proxy.shutdown_delay: at most 5m (a balancer takes a proxy out of rotation"
                + " within seconds), got '6m'");
  }

  @Test
  void missingSectionIsReported() {
    assertThatThrownBy(() -> ProxyConfig.parse("agent: {}", "p.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("p.yaml: proxy: missing required key")
        .hasMessageContaining("p.yaml: agent: unknown key");
  }

  @Test
  void loadsTheExampleFile() throws Exception {
    Path example = Path.of("../../infra/examples/proxy.yaml");
    ProxyConfig c = ProxyConfig.load(example);
    assertThat(c.listen().host()).isEqualTo("127.0.0.1");
    assertThat(c.kafkaBootstrap()).isEqualTo("127.0.0.1:9092");
  }

  @Test
  void unreadableFileIsNamed() {
    assertThatThrownBy(() -> ProxyConfig.load(dir.resolve("missing.yaml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("missing.yaml")
        .hasMessageContaining("no such file");
  }

  @Test
  void loadReadsAFile() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("proxy.yaml"), "proxy:\n  id: p\n  listen: \"127.0.0.1:0\"\n");
    assertThat(ProxyConfig.load(file).listen().port()).isZero();
  }

  @Test
  void singleSignOnIsOffUnlessAnOidcBlockIsGiven() {
    AuthSettings auth = ProxyConfig.parse("proxy: {}", "proxy.yaml").auth();
    assertThat(auth.oidc()).isEmpty();
    assertThat(auth.oidcRedirectUrl()).isEmpty();
  }

  @Test
  void theOidcBlockAndItsRedirectUrlAreRead() {
    AuthSettings auth =
        ProxyConfig.parse(
                """
                proxy:
                  auth:
                    oidc:
                      issuer: https://idp.example.com/realms/x
                      client_id: gatehouse
                      claim_roles: { devs: [dev] }
                      redirect_url: https://gatehouse.example.com/v1/login/sso/callback
                """,
                "proxy.yaml")
            .auth();
    assertThat(auth.oidc().orElseThrow().clientId()).isEqualTo("gatehouse");
    assertThat(auth.oidc().orElseThrow().claimRoles()).containsEntry("devs", List.of("dev"));
    assertThat(auth.oidcRedirectUrl())
        .contains(URI.create("https://gatehouse.example.com/v1/login/sso/callback"));
  }

  @Test
  void aRedirectUrlOffTheCallbackPathOrNotHttpsIsRefusedAtItsKey() {
    for (String url :
        List.of(
            "https://gatehouse.example.com/elsewhere",
            "http://gatehouse.example.com/v1/login/sso/callback")) {
      assertThatThrownBy(
              () ->
                  ProxyConfig.parse(
                      "proxy: { auth: { oidc: { issuer: https://idp.example.com, client_id: g,"
                          + " redirect_url: \""
                          + url
                          + "\" } } }",
                      "proxy.yaml"))
          .as(url)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("proxy.yaml: proxy.auth.oidc.redirect_url: ");
    }
  }
}
