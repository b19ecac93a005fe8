package io.gatehouse.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
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
}
