package io.gatehouse.proxy.tunnel;

import io.gatehouse.config.HostPort;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.IssuedCertificate;
import io.gatehouse.pki.Pem;
import io.gatehouse.pki.ServerCertificate;
import io.gatehouse.pki.TlsContexts;
import io.gatehouse.relay.NativeTls;
import io.gatehouse.relay.Wire;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The TLS of the proxy's one port. The proxy's certificate from the cluster CA, issued at start for
 * its public host ({@code *.<public host>} for apps) and for {@link Wire#TUNNEL_SERVER_NAME}, is
 * what agents are shown: they ask for that name by SNI. Users are shown the operator's own
 * certificate when {@code proxy.tls} names one, else the cluster one. Client certificates are
 * requested, not required: agents present theirs for their tunnels, users have none.
 *
 * @param certificate the proxy's key and chain from the cluster CA (its certificate, then the CA's)
 * @param ca the cluster CA's certificate, which client certificates must chain to
 * @param operator the operator's certificate for users, if configured
 */
public record PortTls(
    IssuedCertificate certificate, X509Certificate ca, Optional<ServerCertificate> operator) {
  /** How long a proxy's certificate lasts; a restart issues a new one. */
  public static final Duration LIFETIME = Duration.ofDays(90);

  /** Issues the proxy's certificate for the names users and agents reach it by. */
  public static PortTls issue(
      ClusterCa ca,
      String proxyId,
      String publicHost,
      HostPort listen,
      Optional<ServerCertificate> operator) {
    Set<String> names =
        new LinkedHashSet<>(
            List.of(publicHost, "*." + publicHost, "localhost", Wire.TUNNEL_SERVER_NAME));
    List<InetAddress> ips = new ArrayList<>();
    try {
      ips.add(InetAddress.getByName("127.0.0.1"));
      ips.add(InetAddress.getByName("::1"));
      if (!listen.isWildcard() && Character.isDigit(listen.host().charAt(0))) {
        InetAddress bound = InetAddress.getByName(listen.host());
        if (!ips.contains(bound)) {
          ips.add(bound);
        }
      }
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a literal address did not parse", e);
    }
    return new PortTls(
        ca.issueProxy(proxyId, List.copyOf(names), ips, LIFETIME), ca.certificate(), operator);
  }

  /**
   * {@code options} serving TLS with these certificates and asking for client certificates, and
   * offering HTTP/2 and HTTP/1.1 by ALPN (browsers, curl and the JDK's client take HTTP/2; agents
   * and TCP tunnels ask for HTTP/1.1, whose upgrade they need); agents' handshakes within {@code
   * gate}.
   */
  public HttpServerOptions apply(HttpServerOptions options, HandshakeGate gate) {
    return options
        .setSsl(true)
        .setSslEngineOptions(gate.engineOptions(NativeTls.engineOptions()))
        .setUseAlpn(true)
        .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
        .setKeyCertOptions(
            KeyCertOptions.wrap(
                gate.keyManager(
                    operator
                        .map(o -> TlsContexts.keyManager(o, Wire.TUNNEL_SERVER_NAME, certificate))
                        .orElseGet(() -> TlsContexts.keyManager(certificate)))))
        .setTrustOptions(
            new PemTrustOptions().addCertValue(Buffer.buffer(Pem.certificates(List.of(ca)))))
        .setClientAuth(ClientAuth.REQUEST);
  }
}
