package io.gatehouse.pki;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust for a joining agent that knows only the cluster's {@link CaPin}: a server's chain is
 * accepted when its last certificate is a CA whose public key matches the pin, that CA is within
 * its validity, and the chain verifies under PKIX with that CA as the only anchor (validity,
 * signatures, basic constraints, serverAuth usage). Proxies serve their leaf and the CA, so the
 * pinned CA is always in the chain.
 *
 * <p>Checks servers only: a client certificate is always refused.
 */
public final class PinnedTrustManager extends X509ExtendedTrustManager {
  private final CaPin pin;

  public PinnedTrustManager(CaPin pin) {
    this.pin = Objects.requireNonNull(pin, "pin");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    TlsContexts.trustManager(pinnedCa(chain)).checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    TlsContexts.trustManager(pinnedCa(chain)).checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    TlsContexts.trustManager(pinnedCa(chain)).checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("a CA pin checks servers only, not clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  /** None: a pinned client asks the server for nothing. */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }

  @Override
  public String toString() {
    return "PinnedTrustManager[" + pin + "]";
  }

  private X509Certificate pinnedCa(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length < 2) {
      throw new CertificateException(
          "the server sent no CA certificate to check against the pin " + pin);
    }
    X509Certificate ca = chain[chain.length - 1];
    if (ca.getBasicConstraints() < 0) {
      throw new CertificateException(
          "the last certificate the server sent, "
              + ca.getSubjectX500Principal().getName()
              + ", is not a CA");
    }
    if (!pin.matches(ca)) {
      throw new CertificateException(
          "the server's CA "
              + ca.getSubjectX500Principal().getName()
              + " has pin "
              + CaPin.of(ca)
              + ", not the expected "
              + pin);
    }
    // PKIX does not check a trust anchor's own dates.
    ca.checkValidity();
    return ca;
  }
}
