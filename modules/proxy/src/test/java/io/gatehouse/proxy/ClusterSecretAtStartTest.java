package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.proxy.config.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSecretAtStartTest {
  @TempDir Path dir;

  @Test
  void proxyWithoutAClusterSecretDoesNotStartAndSaysHowToMakeOne() {
    Path ca = dir.resolve("ca");
    ProxyConfig config =
        ProxyConfig.parse(
            """
            proxy:
              id: no-secret
              data_dir: "%s"
              ca: { dir: "%s" }
              listen: "127.0.0.1:0"
            """
                .formatted(dir.resolve("data"), ca),
            "proxy.yaml");

    assertThatThrownBy(() -> Proxy.start(config))
        .isInstanceOf(ProxyException.class)
        .hasMessageContaining("no-secret")
        .hasMessageContaining(ca.resolve("cluster.secret").toString())
        .hasMessageContaining("gatehouse ca init");
    // It failed before opening anything: no state directory was made.
    assertThat(Files.exists(dir.resolve("data"))).isFalse();
  }
}
