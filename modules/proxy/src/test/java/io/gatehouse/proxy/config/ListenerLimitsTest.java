package io.gatehouse.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.config.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ListenerLimitsTest {
  @Test
  void missingBlockGivesTheDocumentedDefaults() {
    ListenerLimits limits = ProxyConfig.parse("proxy: {}", "proxy.yaml").limits();
    assertThat(limits).isEqualTo(ListenerLimits.DEFAULTS);
    assertThat(limits.headerReadTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(limits.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(limits.maxConnections()).isEqualTo(10_000);
    assertThat(limits.maxConnectionsPerAddress()).isEqualTo(512);
    assertThat(limits.maxEventSubscribers()).isEqualTo(256);
    assertThat(limits.maxAgentHandshakes()).isEqualTo(64);
  }

  @Test
  void everyKeyIsRead() {
    ListenerLimits limits =
        ProxyConfig.parse(
                """
                proxy:
                  limits:
                    header_read_timeout: 2s
                    idle_timeout: 1m
                    max_connections: 100
                    max_connections_per_address: 10
                    max_event_subscribers: 3
                    max_agent_handshakes: 7
                """,
                "proxy.yaml")
            .limits();
    assertThat(limits)
        .isEqualTo(new ListenerLimits(Duration.ofSeconds(2), Duration.ofMinutes(1), 100, 10, 3, 7));
  }

  @Test
  void aTotalCapBelowThePerAddressDefaultLowersIt() {
    ListenerLimits limits =
        ProxyConfig.parse("proxy: { limits: { max_connections: 50 } }", "proxy.yaml").limits();
    assertThat(limits.maxConnectionsPerAddress()).isEqualTo(50);
  }

  @Test
  void everyBadValueIsReportedWithFileAndKey() {
    assertThatThrownBy(
            () ->
                ProxyConfig.parse(
                    """
                    proxy:
                      limits:
                        header_read_timeout: 0s
                        idle_timeout: soon
                        max_connections: 10
                        max_connections_per_address: 11
                        max_event_subscribers: 0
                        max_agent_handshakes: many
                        max_streams: 3
                    """,
                    "proxy.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.yaml: proxy.limits.header_read_timeout: duration must be")
        .hasMessageContaining("proxy.yaml: proxy.limits.idle_timeout:")
        .hasMessageContaining(
            "proxy.yaml: proxy.limits.max_connections_per_address: must not exceed"
                + " max_connections (10), got 11")
        .hasMessageContaining("proxy.yaml: proxy.limits.max_event_subscribers: must be between 1")
        .hasMessageContaining("proxy.yaml: proxy.limits.max_agent_handshakes:")
        .hasMessageContaining("proxy.limits.max_streams");
  }

  @Test
  void aTimeoutLongerThanTimersTakeIsRefused() {
    assertThatThrownBy(
            () -> ProxyConfig.parse("proxy: { limits: { idle_timeout: 30d } }", "proxy.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.limits.idle_timeout: must be at most 24 days");
  }
}
