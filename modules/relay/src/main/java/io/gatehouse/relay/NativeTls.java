package io.gatehouse.relay;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS engine of every Netty and Vert.x endpoint on the data path: BoringSSL (netty-tcnative)
 * where its native library loads, which is every linux-x86_64 host the project ships for, else the
 * JDK's own engine. Same certificates, same TLS 1.3, same checks either way; BoringSSL spends a
 * fraction of the JDK engine's CPU per record (measured in bench/, see docs/benchmarks.md).
 */
public final class NativeTls {
  private NativeTls() {}

  /** True when BoringSSL is in use. */
  public static boolean isNative() {
    return OpenSsl.isAvailable();
  }

  /** What a Vert.x server or client takes in {@code setSslEngineOptions}. */
  public static SSLEngineOptions engineOptions() {
    return isNative() ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
  }

  /**
   * A TLS 1.3 client context that presents {@code keyManager}'s certificate, trusts what {@code
   * trustManager} trusts, and offers {@code protocols} by ALPN.
   */
  public static SslContext client(
      X509ExtendedKeyManager keyManager,
      X509ExtendedTrustManager trustManager,
      String tlsProtocol,
      String... protocols) {
    try {
      return SslContextBuilder.forClient()
          .sslProvider(isNative() ? SslProvider.OPENSSL : SslProvider.JDK)
          .keyManager(keyManager)
          .trustManager(trustManager)
          .protocols(tlsProtocol)
          .applicationProtocolConfig(
              new ApplicationProtocolConfig(
                  ApplicationProtocolConfig.Protocol.ALPN,
                  ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                  ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                  protocols))
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot make a TLS client context: " + e.getMessage(), e);
    }
  }
}
