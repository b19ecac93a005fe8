package io.gatehouse.proxy.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ViaChainTest {
  @Test
  void findsTheHopInAnyEntryOfAnyHeader() {
    assertThat(ViaChain.names(List.of("1.1 proxy-1"), "proxy-1")).isTrue();
    assertThat(ViaChain.names(List.of("1.0 lb (nginx), 1.1 Proxy-1"), "proxy-1")).isTrue();
    assertThat(
            ViaChain.names(
                List.of("HTTP/1.1 agent-1", "1.1 proxy-1:3080x, 1.1 proxy-1"), "proxy-1"))
        .isTrue();
  }

  @Test
  void anotherHopOrAMentionInACommentIsNoLoop() {
    assertThat(ViaChain.names(List.of(), "proxy-1")).isFalse();
    assertThat(ViaChain.names(List.of("1.1 proxy-10"), "proxy-1")).isFalse();
    assertThat(ViaChain.names(List.of("1.1 agent-1 (behind proxy-1)"), "proxy-1")).isFalse();
    assertThat(ViaChain.names(List.of("proxy-1"), "proxy-1")).isFalse();
  }
}
