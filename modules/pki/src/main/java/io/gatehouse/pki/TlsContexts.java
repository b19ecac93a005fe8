package io.gatehouse.pki;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS 1.3 contexts for the cluster's own connections (agent tunnels, joins), built from the
 * cluster's trust material and nothing else: no system trust store, no system key store.
 *
 * <ul>
 *   <li>{@link #mutual}: present an {@link IssuedCertificate}, trust exactly the cluster CA; for a
 *       proxy's tunnel listener and an agent's tunnel dialer. A server still has to ask for the
 *       peer's certificate ({@code setNeedClientAuth(true)}).
 *   <li>{@link #trusting}: trust exactly the cluster CA, present nothing.
 *   <li>{@link #pinned}: trust a server whose CA matches a {@link CaPin}, present nothing; for an
 *       agent's first join, when it has a token and the pin but no certificate yet.
 * </ul>
 *
 * Sockets, server sockets and engines these contexts create speak TLS 1.3 only. Trust is PKIX from
 * the JDK: validity, signatures, basic constraints, key usage and extended key usage (so an agent's
 * client-only certificate is refused when it poses as a server). Host names are not checked: every
 * proxy certificate of the cluster is as good as another. Who the peer is, read {@link
 * CertificateIdentity#of} from {@code session.getPeerCertificates()[0]}; a proxy serving agents
 * checks that the role is {@code AGENT}.
 *
 * <p>For Vert.x or Netty, which take key and trust managers rather than a context, {@link
 * #keyManager} and {@link #trustManager} are the same pieces; restrict the protocols to {@value
 * #PROTOCOL} there.
 */
public final class TlsContexts {
  /** The only TLS version these contexts speak. */
  public static final String PROTOCOL = "TLSv1.3";

  private TlsContexts() {}

  /** Presents {@code own} and trusts certificates issued by {@code ca} only. */
  public static SSLContext mutual(IssuedCertificate own, X509Certificate ca) {
    return context(new KeyManager[] {keyManager(own)}, trustManager(ca));
  }

  /** Trusts certificates issued by {@code ca} only and presents none. */
  public static SSLContext trusting(X509Certificate ca) {
    return context(new KeyManager[0], trustManager(ca));
  }

  /** Trusts a server that presents its chain up to a CA matching {@code pin}; presents none. */
  public static SSLContext pinned(CaPin pin) {
    return context(new KeyManager[0], new PinnedTrustManager(pin));
  }

  /** Presents {@code own}'s chain to every peer that asks for a certificate. */
  public static X509ExtendedKeyManager keyManager(IssuedCertificate own) {
    return new SingleKeyManager(own);
  }

  /**
   * Presents {@code operator}'s chain to every client but those asking for {@code name} by SNI,
   * which get {@code own}'s: one port, the operator's certificate for users, the cluster's for
   * agents.
   */
  public static X509ExtendedKeyManager keyManager(
      ServerCertificate operator, String name, IssuedCertificate own) {
    return new ServerNameKeyManager(
        new SingleKeyManager(operator.key(), operator.chain()), name, new SingleKeyManager(own));
  }

  /**
   * PKIX trust in {@code ca} alone.
   *
   * @throws PkiException when {@code ca} is not a CA certificate
   */
  public static X509ExtendedTrustManager trustManager(X509Certificate ca) {
    if (ca.getBasicConstraints() < 0) {
      throw new PkiException(ca.getSubjectX500Principal().getName() + " is not a CA certificate");
    }
    try {
      KeyStore anchors = KeyStore.getInstance("PKCS12");
      anchors.load(null, null);
      anchors.setCertificateEntry("cluster-ca", ca);
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(anchors);
      for (TrustManager tm : factory.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException("the PKIX trust manager factory made no X509 trust manager");
    } catch (GeneralSecurityException | IOException e) {
      throw new PkiException(
          "cannot trust " + ca.getSubjectX500Principal().getName() + ": " + e.getMessage(), e);
    }
  }

  private static SSLContext context(KeyManager[] keyManagers, TrustManager trustManager) {
    try {
      SSLContext context = SSLContext.getInstance(PROTOCOL);
      // An empty array, not null: null would fall back to the JVM's default key store.
      context.init(keyManagers, new TrustManager[] {trustManager}, new SecureRandom());
      return new Tls13Context(context);
    } catch (GeneralSecurityException e) {
      throw new PkiException("cannot make a " + PROTOCOL + " context: " + e.getMessage(), e);
    }
  }
}
