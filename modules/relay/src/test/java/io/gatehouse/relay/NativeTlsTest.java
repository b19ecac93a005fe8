package io.gatehouse.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.net.OpenSSLEngineOptions;
import org.junit.jupiter.api.Test;

class NativeTlsTest {
  @Test
  void boringSslLoadsOnLinuxX8664AndSpeaksTls13WithAlpn() {
    assumeTrue(
        System.getProperty("os.name").startsWith("Linux")
            && System.getProperty("os.arch").equals("amd64"),
        "the shipped native library is linux-x86_64");
    assertThat(NativeTls.isNative())
        .as("netty-tcnative: %s", OpenSsl.unavailabilityCause())
        .isTrue();
    assertThat(OpenSsl.availableJavaCipherSuites()).contains("TLS_AES_128_GCM_SHA256");
    assertThat(SslProvider.isAlpnSupported(SslProvider.OPENSSL)).isTrue();
    assertThat(NativeTls.engineOptions()).isInstanceOf(OpenSSLEngineOptions.class);
  }
}
