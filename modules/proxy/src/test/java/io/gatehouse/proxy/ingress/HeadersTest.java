package io.gatehouse.proxy.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

class HeadersTest {
  @Test
  void proxyCookieNeverReachesTheUpstream() {
    assertThat(Headers.withoutCookie("a=1; gatehouse_session=abc; b=2", "gatehouse_session")).isEqualTo("a=1; b=2");
    assertThat(Headers.withoutCookie("gatehouse_session=abc", "gatehouse_session")).isEmpty();
    assertThat(Headers.withoutCookie("gatehouse_session_x=1", "gatehouse_session")).isEqualTo("gatehouse_session_x=1");
  }

  @Test
  void hopByHopAndWireProtocolHeadersStayBehind() {
    MultiMap in = MultiMap.caseInsensitiveMultiMap()
        .add("Connection", "keep-alive, X-Hop")
        .add("X-Hop", "1")
        .add("Keep-Alive", "timeout=5")
        .add("Transfer-Encoding", "chunked")
        .add("Gatehouse-User", "mallory")
        .add("Cookie", "gatehouse_session=abc")
        .add("Accept", "text/html")
        .add("Host", "demo.localhost");
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    Headers.copy(in, out, true, "gatehouse_session");
    assertThat(out.names()).containsExactly("Accept");
  }
}
