package io.gatehouse.pki;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A private key with its certificate chain, leaf first, then the cluster CA: what a proxy or agent
 * presents in TLS ({@link TlsContexts#mutual}) and keeps on disk.
 *
 * <p>{@link #toString} never shows the key.
 *
 * @param key the leaf's private key
 * @param chain the leaf certificate, then the certificates up to and including the CA
 */
public record IssuedCertificate(PrivateKey key, List<X509Certificate> chain) {
  /**
   * Checks the parts.
   *
   * @throws PkiException when the chain is empty
   */
  public IssuedCertificate {
    Objects.requireNonNull(key, "key");
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new PkiException("an issued certificate needs at least its leaf certificate");
    }
  }

  /**
   * Reads a chain and its key as {@link #writeTo} writes them (and as OpenSSL writes them).
   *
   * @throws PkiException naming the file that is missing or damaged, or both files when the key
   *     does not belong to the leaf certificate
   */
  public static IssuedCertificate read(Path certFile, Path keyFile) {
    List<X509Certificate> chain = Pem.readCertificates(certFile);
    PrivateKey key = Pem.readPrivateKey(keyFile);
    if (!Keys.belongTogether(key, chain.get(0).getPublicKey())) {
      throw new PkiException(
          keyFile + ": this private key does not belong to the certificate in " + certFile);
    }
    return new IssuedCertificate(key, chain);
  }

  /** The leaf certificate, the one that names its holder. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** Who the leaf names; see {@link CertificateIdentity#of}. */
  public CertificateIdentity identity() {
    return CertificateIdentity.of(leaf());
  }

  /**
   * Writes the chain to {@code certFile} and the key to {@code keyFile}, both PEM with mode 0600,
   * each replaced whole. The key is written first, so a crash in between leaves a key that does not
   * match the old certificate, which {@link #read} reports, rather than a silent mix.
   */
  public void writeTo(Path certFile, Path keyFile) {
    Pem.writePrivateKey(keyFile, key);
    Pem.writeCertificates(certFile, chain);
  }

  @Override
  public String toString() {
    return "IssuedCertificate[leaf="
        + leaf().getSubjectX500Principal().getName()
        + ", chain="
        + chain.size()
        + ", key=redacted]";
  }
}
