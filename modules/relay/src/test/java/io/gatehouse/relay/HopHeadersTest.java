package io.gatehouse.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

class HopHeadersTest {
  @Test
  void proxyCookieNeverReachesTheUpstream() {
    assertThat(HopHeaders.withoutCookie("a=1; gatehouse_session=abc; b=2", "gatehouse_session"))
        .isEqualTo("a=1; b=2");
    assertThat(HopHeaders.withoutCookie("gatehouse_session=abc", "gatehouse_session")).isEmpty();
    assertThat(HopHeaders.withoutCookie("gatehouse_session_x=1", "gatehouse_session"))
        .isEqualTo("gatehouse_session_x=1");
  }

  @Test
  void hopByHopAndWireProtocolHeadersStayBehind() {
    MultiMap in =
        MultiMap.caseInsensitiveMultiMap()
            .add("Connection", "keep-alive, X-Hop")
            .add("X-Hop", "1")
            .add("Keep-Alive", "timeout=5")
            .add("Transfer-Encoding", "chunked")
            .add("Gatehouse-User", "mallory")
            .add("Cookie", "gatehouse_session=abc")
            .add("Accept", "text/html")
            .add("Host", "demo.localhost");
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    HopHeaders.copy(in, out, true, "gatehouse_session");
    assertThat(out.names()).containsExactly("Accept");
  }

  @Test
  void responsesToHeadAndInformationalNoContentAndNotModifiedHaveNoBody() {
    assertThat(HopHeaders.isBodyless(HttpMethod.HEAD, 200)).isTrue();
    assertThat(HopHeaders.isBodyless(HttpMethod.HEAD, 404)).isTrue();
    assertThat(HopHeaders.isBodyless(HttpMethod.GET, 100)).isTrue();
    assertThat(HopHeaders.isBodyless(HttpMethod.GET, 101)).isTrue();
    assertThat(HopHeaders.isBodyless(HttpMethod.POST, 204)).isTrue();
    assertThat(HopHeaders.isBodyless(HttpMethod.GET, 304)).isTrue();
  }

  @Test
  void everyOtherResponseMayHaveABody() {
    assertThat(HopHeaders.isBodyless(HttpMethod.GET, 200)).isFalse();
    assertThat(HopHeaders.isBodyless(HttpMethod.POST, 201)).isFalse();
    assertThat(HopHeaders.isBodyless(HttpMethod.GET, 205)).isFalse();
    assertThat(HopHeaders.isBodyless(HttpMethod.GET, 302)).isFalse();
    assertThat(HopHeaders.isBodyless(HttpMethod.GET, 404)).isFalse();
    assertThat(HopHeaders.isBodyless(HttpMethod.PUT, 502)).isFalse();
  }
}
