package io.gatehouse.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The cluster CA: one EC P-256 key and a self-signed certificate in a directory only proxies hold,
 * which signs every proxy and agent certificate of the cluster.
 *
 * <p>The directory holds {@value #KEY_FILE} (PKCS#8 PEM), {@value #CERT_FILE} (PEM) and {@link
 * ClusterSecret#FILE}, each mode 0600, written once by {@link #init} and never overwritten. The CA
 * certificate is valid for ten years, may sign leaf certificates only (basic constraints CA, path
 * length 0) and is used for nothing else (key usage keyCertSign and cRLSign).
 *
 * <p>Every certificate it issues has a random 128-bit serial number, starts one minute before the
 * clock's now (peers' clocks disagree a little), ends no later than the CA itself, and names its
 * holder as described in {@link CertificateIdentity}. Proxy certificates serve TLS and dial other
 * proxies (extended key usage serverAuth and clientAuth); agent certificates only dial
 * (clientAuth), so an agent's certificate can never pass for a proxy's.
 *
 * <p>Thread-safe.
 */
public final class ClusterCa {
  /** The CA's private key, PKCS#8 PEM. */
  public static final String KEY_FILE = "ca.key";

  /** The CA's certificate, PEM. */
  public static final String CERT_FILE = "ca.crt";

  /** How long the CA certificate is valid. */
  public static final Duration CA_LIFETIME = Duration.ofDays(3650);

  /** How far before now every certificate starts, for peers whose clocks run behind. */
  public static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

  private static final String SUBJECT_PREFIX = "Gatehouse cluster CA ";

  private final X509Certificate certificate;
  private final PrivateKey key;
  private final Clock clock;
  private final SecureRandom random;

  private ClusterCa(X509Certificate certificate, PrivateKey key, Clock clock, SecureRandom random) {
    this.certificate = certificate;
    this.key = key;
    this.clock = clock;
    this.random = random;
  }

  /**
   * Makes a new CA and cluster secret in {@code dir} (created with mode 0700 if missing).
   *
   * @param clock when the CA certificate starts
   * @param random for the key, the serial number and the cluster secret
   * @throws PkiException naming the file when any of the three files exists already: nothing is
   *     written then
   */
  public static ClusterCa init(Path dir, Clock clock, SecureRandom random) {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(random, "random");
    for (String name : List.of(KEY_FILE, CERT_FILE, ClusterSecret.FILE)) {
      Path file = dir.resolve(name);
      if (Files.exists(file)) {
        throw new PkiException(
            file
                + ": exists already; `ca init` never overwrites a CA (back it up and remove the"
                + " directory to start a new cluster)");
      }
    }
    createDirectory(dir);
    KeyPair keys = Keys.generate(random);
    String name = SUBJECT_PREFIX + HexFormat.of().formatHex(bytes(random, 4));
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name).build();
    Instant now = clock.instant();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            subject,
            serial(random),
            Date.from(now.minus(CLOCK_SKEW)),
            Date.from(now.plus(CA_LIFETIME)),
            subject,
            keys.getPublic());
    X509Certificate certificate;
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(
              Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(
              Extension.subjectKeyIdentifier,
              false,
              extensions.createSubjectKeyIdentifier(keys.getPublic()));
      certificate = sign(builder, keys.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new PkiException(dir + ": cannot make the CA certificate: " + e.getMessage(), e);
    }
    Pem.create(dir.resolve(KEY_FILE), Pem.privateKey(keys.getPrivate()), "CA key");
    Pem.create(dir.resolve(CERT_FILE), Pem.certificates(List.of(certificate)), "CA certificate");
    ClusterSecret.generate(random).write(dir);
    return new ClusterCa(certificate, keys.getPrivate(), clock, random);
  }

  /** {@link #load(Path, Clock, SecureRandom)} with the system clock and a new SecureRandom. */
  public static ClusterCa load(Path dir) {
    return load(dir, Clock.systemUTC(), new SecureRandom());
  }

  /**
   * Reads the CA that {@link #init} wrote into {@code dir}.
   *
   * @param clock when issued certificates start
   * @param random for issued keys and serial numbers
   * @throws PkiException naming the file that is missing or damaged, or the key file when it does
   *     not belong to the certificate
   */
  public static ClusterCa load(Path dir, Clock clock, SecureRandom random) {
    X509Certificate certificate = readCertificate(dir);
    Path keyFile = dir.resolve(KEY_FILE);
    if (!Files.exists(keyFile)) {
      throw new PkiException(keyFile + ": no CA key" + initHint(dir));
    }
    PrivateKey key = Pem.readPrivateKey(keyFile);
    if (!Keys.belongTogether(key, certificate.getPublicKey())) {
      throw new PkiException(
          keyFile + ": this key does not belong to the CA certificate " + dir.resolve(CERT_FILE));
    }
    return new ClusterCa(
        certificate, key, Objects.requireNonNull(clock), Objects.requireNonNull(random));
  }

  /**
   * Reads only the CA certificate in {@code dir}: enough to show the pin or trust the CA, on a
   * machine that may not hold the key.
   *
   * @throws PkiException naming the file when it is missing, damaged or not a CA certificate
   */
  public static X509Certificate readCertificate(Path dir) {
    Path file = dir.resolve(CERT_FILE);
    if (!Files.exists(file)) {
      throw new PkiException(file + ": no CA certificate" + initHint(dir));
    }
    List<X509Certificate> certificates = Pem.readCertificates(file);
    if (certificates.size() != 1) {
      throw new PkiException(file + ": expected one CA certificate, found " + certificates.size());
    }
    X509Certificate certificate = certificates.get(0);
    if (certificate.getBasicConstraints() < 0) {
      throw new PkiException(file + ": not a CA certificate (basic constraints say CA:false)");
    }
    return certificate;
  }

  /** The CA certificate, which every peer trusts. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The pin agents join with. */
  public CaPin pin() {
    return CaPin.of(certificate);
  }

  /**
   * A new key pair and certificate for proxy {@code proxyId}, for its TLS server (users, agents'
   * tunnels) and for dialing other proxies.
   *
   * @param dnsNames the names clients reach the proxy by, as DNS subject alternative names
   * @param ips the addresses clients reach the proxy by, as IP subject alternative names
   * @param lifetime how long it is valid, cut short at the CA's own end
   * @return the key and the chain: the proxy's certificate, then the CA's
   */
  public IssuedCertificate issueProxy(
      String proxyId, List<String> dnsNames, List<InetAddress> ips, Duration lifetime) {
    CertificateIdentity identity = CertificateIdentity.proxy(proxyId);
    List<GeneralName> names = new ArrayList<>();
    for (String dns : dnsNames) {
      if (dns == null || dns.isBlank()) {
        throw new PkiException("proxy " + proxyId + ": a DNS name must not be blank");
      }
      names.add(new GeneralName(GeneralName.dNSName, dns));
    }
    for (InetAddress ip : ips) {
      names.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(ip.getAddress())));
    }
    KeyPair keys = Keys.generate(random);
    X509Certificate leaf =
        issue(
            identity,
            keys.getPublic(),
            names,
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth},
            lifetime);
    return new IssuedCertificate(keys.getPrivate(), List.of(leaf, certificate));
  }

  /**
   * A certificate for the agent that made {@code csr}, naming {@code agentId} and the kinds it may
   * serve. The caller decides what the agent may be (from its join token or current certificate);
   * this checks only that the request is the agent's own.
   *
   * @param lifetime how long it is valid, cut short at the CA's own end
   * @throws PkiException "CSR signature invalid" when the request was not signed by its key; when
   *     its common name is not {@code agentId}; when its key is not EC P-256; when {@code kinds} is
   *     empty or holds something other than lower-case words
   */
  public X509Certificate signAgent(
      AgentCsr csr, String agentId, Set<String> kinds, Duration lifetime) {
    CertificateIdentity identity = CertificateIdentity.agent(agentId, kinds);
    if (identity.kinds().isEmpty()) {
      throw new PkiException("agent " + agentId + ": an agent certificate names at least one kind");
    }
    if (!csr.signatureValid()) {
      throw new PkiException("agent " + agentId + ": CSR signature invalid");
    }
    String claimed = csr.agentId();
    if (!claimed.equals(agentId)) {
      throw new PkiException(
          "agent " + agentId + ": the CSR names '" + claimed + "' as its common name");
    }
    PublicKey key = csr.publicKey();
    if (!Keys.isP256(key)) {
      throw new PkiException("agent " + agentId + ": the CSR's key must be EC P-256");
    }
    return issue(
        identity, key, List.of(), new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth}, lifetime);
  }

  @Override
  public String toString() {
    return "ClusterCa[" + certificate.getSubjectX500Principal().getName() + ", key=redacted]";
  }

  private X509Certificate issue(
      CertificateIdentity identity,
      PublicKey publicKey,
      List<GeneralName> extraNames,
      KeyPurposeId[] purposes,
      Duration lifetime) {
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new PkiException(
          identity.role().word() + " " + identity.id() + ": lifetime must be positive");
    }
    List<GeneralName> names = new ArrayList<>(extraNames);
    names.add(new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri()));
    identity
        .kindsUri()
        .ifPresent(uri -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
    Instant now = clock.instant();
    Instant end = now.plus(lifetime);
    Instant caEnd = certificate.getNotAfter().toInstant();
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, identity.id()).build();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            certificate,
            serial(random),
            Date.from(now.minus(CLOCK_SKEW)),
            Date.from(end.isAfter(caEnd) ? caEnd : end),
            subject,
            publicKey);
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
          .addExtension(
              Extension.subjectAlternativeName,
              false,
              new GeneralNames(names.toArray(GeneralName[]::new)))
          .addExtension(
              Extension.subjectKeyIdentifier,
              false,
              extensions.createSubjectKeyIdentifier(publicKey))
          .addExtension(
              Extension.authorityKeyIdentifier,
              false,
              extensions.createAuthorityKeyIdentifier(certificate));
      return sign(builder, key);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new PkiException(
          identity.role().word()
              + " "
              + identity.id()
              + ": cannot issue the certificate: "
              + e.getMessage(),
          e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder(Keys.SIGNATURE).build(key)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  /** Positive and never zero, as RFC 5280 asks; 128 random bits, as the CA/B forum asks. */
  private static BigInteger serial(SecureRandom random) {
    BigInteger serial;
    do {
      serial = new BigInteger(1, bytes(random, 16));
    } while (serial.signum() == 0);
    return serial;
  }

  private static byte[] bytes(SecureRandom random, int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  private static void createDirectory(Path dir) {
    if (Files.isDirectory(dir)) {
      return;
    }
    try {
      // Only the owner may list the directory that holds the CA key.
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new PkiException(dir + ": cannot create the CA directory: " + e.getMessage(), e);
    }
  }

  private static String initHint(Path dir) {
    return " (run `gatehouse ca init --dir " + dir + "`)";
  }
}
