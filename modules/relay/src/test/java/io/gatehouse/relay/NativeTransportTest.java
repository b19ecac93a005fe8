package io.gatehouse.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Test;

/** The proxy and the agent ask Vert.x for its native transport; on Linux x86-64 they get epoll. */
class NativeTransportTest {
  @Test
  void vertxRunsOnEpollWhenAskedToPreferNativeTransport() {
    assumeTrue(
        System.getProperty("os.name").startsWith("Linux")
            && System.getProperty("os.arch").equals("amd64"),
        "the shipped native library is linux-x86_64");
    assertThat(Epoll.isAvailable()).as("epoll: %s", Epoll.unavailabilityCause()).isTrue();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    try {
      assertThat(vertx.isNativeTransportEnabled()).isTrue();
    } finally {
      vertx.close().await();
    }
  }
}
