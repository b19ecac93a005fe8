package io.gatehouse.proxy.tunnel;

import io.gatehouse.relay.Wire;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the agents' TLS handshakes in flight on the proxy's port ({@code
 * proxy.limits.max_agent_handshakes}), so that a fleet reconnecting at once to a restarted proxy
 * cannot fill its event loops with handshake crypto, which also serves users and answers the
 * agents' pings. Guarantees:
 *
 * <ul>
 *   <li>at most {@code limit} handshakes of clients asking for {@link Wire#TUNNEL_SERVER_NAME} by
 *       SNI are past their ClientHello and not yet ended (done, failed or closed) at once;
 *   <li>one more is refused at its ClientHello, before the proxy does any crypto for it (the key
 *       manager is asked for the proxy's certificate before the server's key share and signature):
 *       the engine answers with a fatal TLS alert in the clear, before any ServerHello, which
 *       agents take as "busy, come back later" ({@code docs/wire-protocol.md}, "Busy"). Counted in
 *       {@value #SHED};
 *   <li>users (any other server name, or none) are never counted nor refused here.
 * </ul>
 *
 * It sits in two places of the port's TLS: {@link #keyManager} decides at the ClientHello, and
 * {@link #engineOptions} sees the end of every handshake (the {@link SslHandler}'s handshake
 * future, which completes however the handshake ends), so a slot is never held past its connection.
 * A handshake is known to both by its client's address and port, the one thing the JDK's engine and
 * Netty's wrapper of it report alike. Thread-safe.
 */
public final class HandshakeGate {
  /** Meter of agent handshakes refused at their ClientHello because the limit was reached. */
  public static final String SHED = "gatehouse.proxy.tunnel.handshakes.shed";

  /** Gauge of agent handshakes past their ClientHello and not yet ended. */
  public static final String IN_FLIGHT = "gatehouse.proxy.tunnel.handshakes.in.flight";

  private static final Logger LOG = LoggerFactory.getLogger(HandshakeGate.class);

  private final int limit;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger peak = new AtomicInteger();

  /** The agent handshakes decided, by client: true admitted (holding a slot), false shed. */
  private final Map<String, Boolean> decided = new ConcurrentHashMap<>();

  private final Counter shed;

  public HandshakeGate(int limit, MeterRegistry registry) {
    if (limit < 1) {
      throw new IllegalArgumentException("the limit must be positive: " + limit);
    }
    this.limit = limit;
    this.shed =
        Counter.builder(SHED)
            .description(
                "Agent TLS handshakes refused at their ClientHello: too many were in flight")
            .register(registry);
    Gauge.builder(IN_FLIGHT, inFlight, AtomicInteger::get)
        .description("Agent TLS handshakes in flight on the web port")
        .register(registry);
  }

  /** Agent handshakes in flight now. */
  public int inFlight() {
    return inFlight.get();
  }

  /** The most agent handshakes that were ever in flight at once. */
  public int peak() {
    return peak.get();
  }

  /** {@code delegate}, refusing the proxy's certificate to an agent handshake over the limit. */
  public X509ExtendedKeyManager keyManager(X509ExtendedKeyManager delegate) {
    return new Gated(delegate);
  }

  /** {@code delegate}, with every server handshake's end reported here. */
  public SSLEngineOptions engineOptions(SSLEngineOptions delegate) {
    return new Options(delegate);
  }

  /**
   * Admits or sheds the handshake of {@code engine} if it is an agent's; the first decision for a
   * handshake stands (the key manager may be asked once per key type).
   */
  private boolean admit(SSLEngine engine) {
    String client = client(engine);
    if (client == null || !asksForTunnel(engine)) {
      return true;
    }
    Boolean before = decided.get(client);
    if (before != null) {
      return before;
    }
    int now = inFlight.incrementAndGet();
    boolean admitted = now <= limit;
    if (admitted) {
      peak.accumulateAndGet(now, Math::max);
    } else {
      inFlight.decrementAndGet();
      shed.increment();
      LOG.debug("agent handshake from {} shed: {} in flight", client, limit);
    }
    decided.put(client, admitted);
    return admitted;
  }

  /** The handshake of {@code engine} ended, however: its slot, if it held one, is free. */
  private void ended(SSLEngine engine) {
    String client = client(engine);
    if (client != null && Boolean.TRUE.equals(decided.remove(client))) {
      inFlight.decrementAndGet();
    }
  }

  private static String client(SSLEngine engine) {
    return engine == null || engine.getPeerHost() == null
        ? null
        : engine.getPeerHost() + ":" + engine.getPeerPort();
  }

  private static boolean asksForTunnel(SSLEngine engine) {
    if (!(engine.getHandshakeSession() instanceof ExtendedSSLSession session)) {
      return false;
    }
    List<SNIServerName> names = session.getRequestedServerNames();
    for (SNIServerName name : names) {
      if (name instanceof SNIHostName host
          && host.getAsciiName().toLowerCase(Locale.ROOT).equals(Wire.TUNNEL_SERVER_NAME)) {
        return true;
      }
    }
    return false;
  }

  /** The port's key manager: no certificate, hence no handshake, for a shed agent. */
  private final class Gated extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager delegate;

    Gated(X509ExtendedKeyManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return admit(engine) ? delegate.chooseEngineServerAlias(keyType, issuers, engine) : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return delegate.getPrivateKey(alias);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public String chooseEngineClientAlias(
        String[] keyTypes, Principal[] issuers, SSLEngine engine) {
      return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }
  }

  /** Vert.x's engine options, whose contexts report each handshake's end. */
  private final class Options extends SSLEngineOptions {
    private final SSLEngineOptions delegate;

    Options(SSLEngineOptions delegate) {
      this.delegate = delegate;
      setUseWorkerThread(delegate.getUseWorkerThread());
    }

    @Override
    public SSLEngineOptions copy() {
      return new Options(delegate.copy());
    }

    @Override
    public SslContextFactory sslContextFactory() {
      return new Factory(delegate.sslContextFactory());
    }
  }

  private final class Factory implements SslContextFactory {
    private final SslContextFactory delegate;

    Factory(SslContextFactory delegate) {
      this.delegate = delegate;
    }

    @Override
    public SslContextFactory useAlpn(boolean useAlpn) {
      delegate.useAlpn(useAlpn);
      return this;
    }

    @Override
    public SslContextFactory clientAuth(io.netty.handler.ssl.ClientAuth clientAuth) {
      delegate.clientAuth(clientAuth);
      return this;
    }

    @Override
    public SslContextFactory forClient(boolean forClient) {
      delegate.forClient(forClient);
      return this;
    }

    @Override
    public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
      delegate.keyMananagerFactory(kmf);
      return this;
    }

    @Override
    public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
      delegate.trustManagerFactory(tmf);
      return this;
    }

    @Override
    public SslContextFactory enabledCipherSuites(Set<String> enabledCipherSuites) {
      delegate.enabledCipherSuites(enabledCipherSuites);
      return this;
    }

    @Override
    public SslContextFactory applicationProtocols(List<String> applicationProtocols) {
      delegate.applicationProtocols(applicationProtocols);
      return this;
    }

    @Override
    public SslContextFactory serverName(String serverName) {
      delegate.serverName(serverName);
      return this;
    }

    @Override
    public SslContext create() throws javax.net.ssl.SSLException {
      SslContext context = delegate.create();
      return context.isClient() ? context : new Ending(context);
    }
  }

  /** A server context whose every handler reports its handshake's end. */
  private final class Ending extends DelegatingSslContext {
    Ending(SslContext context) {
      super(context);
    }

    @Override
    protected void initEngine(SSLEngine engine) {}

    @Override
    protected void initHandler(SslHandler handler) {
      SSLEngine engine = handler.engine();
      handler.handshakeFuture().addListener(f -> ended(engine));
    }
  }
}
