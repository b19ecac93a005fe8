package io.gatehouse.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority and one server certificate it signed, for TLS servers in tests
 * (a SASL_SSL broker, for instance), written as PEM files:
 *
 * <ul>
 *   <li>{@link #caFile()}: the CA certificate, what clients trust;
 *   <li>{@link #serverKeyStore()}: the server's private key (unencrypted PKCS#8) followed by its
 *       certificate and the CA's, the layout of Kafka's {@code ssl.keystore.type=PEM}.
 * </ul>
 *
 * <p>The server certificate names {@code localhost} and {@code 127.0.0.1}, so host-name checks pass
 * on loopback; both certificates are valid from an hour ago for a day. Keys are EC P-256, fresh for
 * every call, and never leave the directory. Only for tests: nothing here is meant to be safe to
 * deploy (the cluster's real CA is the pki module's).
 *
 * @param caFile PEM file with the CA certificate
 * @param serverKeyStore PEM file with the server's key and certificate chain
 */
public record TestCertificates(Path caFile, Path serverKeyStore) {

  private static final Duration BACKDATE = Duration.ofHours(1);
  private static final Duration VALIDITY = Duration.ofDays(1);
  private static final String SIGNATURE = "SHA256withECDSA";

  /**
   * Makes a CA and a server certificate for {@code localhost}/{@code 127.0.0.1} and writes {@code
   * ca.pem} and {@code server.pem} into {@code dir} (created if missing).
   */
  public static TestCertificates write(Path dir) {
    try {
      Files.createDirectories(dir);
      SecureRandom random = new SecureRandom();
      Instant now = Instant.now();
      KeyPair caKeys = keyPair(random);
      X500Name caName = new X500Name("CN=Gatehouse test CA");
      X509Certificate ca =
          sign(
              certificate(caName, caName, caKeys, now, random)
                  .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                  .addExtension(
                      Extension.keyUsage,
                      true,
                      new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
              caKeys.getPrivate());

      KeyPair serverKeys = keyPair(random);
      X509Certificate server =
          sign(
              certificate(caName, new X500Name("CN=localhost"), serverKeys, now, random)
                  .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                  .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                  .addExtension(
                      Extension.extendedKeyUsage,
                      false,
                      new ExtendedKeyUsage(
                          new KeyPurposeId[] {
                            KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                          }))
                  .addExtension(
                      Extension.subjectAlternativeName,
                      false,
                      new GeneralNames(
                          new GeneralName[] {
                            new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                          }))
                  .addExtension(
                      Extension.authorityKeyIdentifier,
                      false,
                      new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca)),
              caKeys.getPrivate());

      Path caFile = dir.resolve("ca.pem");
      Path keyStore = dir.resolve("server.pem");
      Files.writeString(caFile, pem("CERTIFICATE", ca.getEncoded()), StandardCharsets.US_ASCII);
      Files.writeString(
          keyStore,
          pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded())
              + pem("CERTIFICATE", server.getEncoded())
              + pem("CERTIFICATE", ca.getEncoded()),
          StandardCharsets.US_ASCII);
      return new TestCertificates(caFile, keyStore);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write test certificates to " + dir, e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make test certificates: " + e.getMessage(), e);
    }
  }

  private static KeyPair keyPair(SecureRandom random) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), random);
    return generator.generateKeyPair();
  }

  private static X509v3CertificateBuilder certificate(
      X500Name issuer, X500Name subject, KeyPair keys, Instant now, SecureRandom random)
      throws CertIOException, GeneralSecurityException {
    return new JcaX509v3CertificateBuilder(
            issuer,
            new BigInteger(64, random).add(BigInteger.ONE),
            Date.from(now.minus(BACKDATE)),
            Date.from(now.plus(VALIDITY)),
            subject,
            keys.getPublic())
        .addExtension(
            Extension.subjectKeyIdentifier,
            false,
            new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
      throws OperatorCreationException, CertificateException {
    X509CertificateHolder holder =
        builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey));
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  private static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
