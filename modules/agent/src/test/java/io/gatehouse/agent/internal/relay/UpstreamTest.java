package io.gatehouse.agent.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.agent.internal.relay.Upstream.Transport;
import io.gatehouse.events.ResourceKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpstreamTest {

  @ParameterizedTest
  @CsvSource({
    "app, http://localhost:8080, HTTP, localhost, 8080, false, ''",
    "app, http://localhost, HTTP, localhost, 80, false, ''",
    "app, https://api.internal/v1/, HTTP, api.internal, 443, true, /v1",
    "app, tcp://echo.internal:7, TCP, echo.internal, 7, false, ''",
    "kube, https://k8s:6443, HTTP, k8s, 6443, true, ''",
    "db, pg.internal:5432, TCP, pg.internal, 5432, false, ''",
    "db, tcp://pg.internal:5432, TCP, pg.internal, 5432, false, ''",
    "db, postgres://pg.internal:5432, TCP, pg.internal, 5432, false, ''",
    "desktop, '[::1]:3389', TCP, ::1, 3389, false, ''",
    "app, 'http://[::1]:8080', HTTP, ::1, 8080, false, ''"
  })
  void derivesTransportAndAddressFromKindAndUri(
      String kind,
      String uri,
      Transport transport,
      String host,
      int port,
      boolean tls,
      String basePath) {
    assertThat(Upstream.of(ResourceKind.of(kind), uri))
        .isEqualTo(new Upstream(transport, host, port, tls, basePath));
  }

  @ParameterizedTest
  @CsvSource({
    "app, ftp://h, 'expected http://, https:// or tcp://host:port'",
    "app, http://h/?q=1, 'a query or fragment is not allowed'",
    "app, tcp://h, 'missing port'",
    "kube, tcp://h:1, 'expected http:// or https://'",
    "db, http://pg:5432, 'relayed as a TCP stream'",
    "db, pg, 'expected host:port or tcp://host:port'",
    "db, tcp://pg:5432/x, 'no path or query'",
    "desktop, '', 'missing URI'"
  })
  void refusesUrisThatDoNotFitTheKind(String kind, String uri, String reason) {
    assertThatThrownBy(() -> Upstream.of(ResourceKind.of(kind), uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void authorityOmitsDefaultPortsAndBracketsIpv6() {
    assertThat(Upstream.of(ResourceKind.APP, "http://h").authority()).isEqualTo("h");
    assertThat(Upstream.of(ResourceKind.APP, "https://h:8443").authority()).isEqualTo("h:8443");
    assertThat(Upstream.of(ResourceKind.APP, "http://[::1]:8080").authority())
        .isEqualTo("[::1]:8080");
  }
}
