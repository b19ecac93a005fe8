package io.gatehouse.pki;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A certificate and key the operator provides for the proxy's users (e.g. from their own CA or a
 * public one), read from PEM files and checked before use: the chain is not empty, its first
 * certificate is current, and the key is the one it certifies (a test signature verifies).
 *
 * @param chain the proxy's certificate first, then any intermediates
 * @param key the certificate's private key
 */
public record ServerCertificate(List<X509Certificate> chain, PrivateKey key) {
  public ServerCertificate {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a server certificate needs its chain");
    }
  }

  /**
   * Reads and checks {@code certFile} and {@code keyFile}.
   *
   * @throws PkiException naming the file and what is wrong with it: unreadable, no certificate,
   *     expired or not yet valid, or a key that does not belong to the certificate
   */
  public static ServerCertificate read(Path certFile, Path keyFile, Instant now) {
    List<X509Certificate> chain = Pem.readCertificates(certFile);
    if (chain.isEmpty()) {
      throw new PkiException(certFile + ": no certificate in the file");
    }
    PrivateKey key = Pem.readPrivateKey(keyFile);
    X509Certificate leaf = chain.get(0);
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      throw new PkiException(
          certFile + ": the certificate expired at " + leaf.getNotAfter().toInstant());
    }
    if (now.isBefore(leaf.getNotBefore().toInstant())) {
      throw new PkiException(
          certFile + ": the certificate is not valid before " + leaf.getNotBefore().toInstant());
    }
    if (!Keys.belongTogether(key, leaf.getPublicKey())) {
      throw new PkiException(
          keyFile + ": the key is not the one the certificate in " + certFile + " certifies");
    }
    return new ServerCertificate(chain, key);
  }

  /** When the proxy's certificate stops being valid. */
  public Instant notAfter() {
    return chain.get(0).getNotAfter().toInstant();
  }
}
