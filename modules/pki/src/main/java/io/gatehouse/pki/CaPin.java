package io.gatehouse.pki;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.Certificate;

/**
 * The pin of the cluster CA: {@code sha256:<64 lower-case hex digits>}, the SHA-256 of the CA
 * certificate's DER-encoded SubjectPublicKeyInfo (the same value as {@code openssl x509 -pubkey
 * -noout | openssl pkey -pubin -outform der | sha256sum}). A joining agent that knows only the pin
 * can tell the real cluster from an impostor before it sends its join token.
 *
 * <p>Pinning the key rather than the certificate keeps the pin valid across a re-issued CA
 * certificate with the same key. Immutable; {@link #toString} is the text form {@link #parse}
 * reads.
 */
public final class CaPin {
  private static final String PREFIX = "sha256:";
  private static final int HEX_DIGITS = 64;
  private static final HexFormat HEX = HexFormat.of();

  private final byte[] digest;

  private CaPin(byte[] digest) {
    this.digest = digest;
  }

  /**
   * Reads the text form; surrounding white space and upper-case hex digits are accepted.
   *
   * @throws PkiException saying what shape a pin has when {@code text} is not one
   */
  public static CaPin parse(String text) {
    String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    if (!t.startsWith(PREFIX)) {
      throw new PkiException("a CA pin starts with 'sha256:' followed by 64 hex digits");
    }
    String hex = t.substring(PREFIX.length());
    if (hex.length() != HEX_DIGITS || !hex.chars().allMatch(CaPin::isHexDigit)) {
      throw new PkiException(
          "a CA pin is 'sha256:' followed by 64 hex digits, found "
              + hex.length()
              + " characters after 'sha256:'"
              + (hex.chars().allMatch(CaPin::isHexDigit) ? "" : " that are not all hex digits"));
    }
    return new CaPin(HEX.parseHex(hex));
  }

  /** The pin of {@code ca}'s public key. */
  public static CaPin of(X509Certificate ca) {
    return new CaPin(sha256(subjectPublicKeyInfo(ca)));
  }

  /** True when {@code certificate}'s public key is the pinned one. */
  public boolean matches(X509Certificate certificate) {
    return MessageDigest.isEqual(digest, sha256(subjectPublicKeyInfo(certificate)));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CaPin other && Arrays.equals(digest, other.digest);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(digest);
  }

  /** {@code sha256:<64 lower-case hex digits>}. */
  @Override
  public String toString() {
    return PREFIX + HEX.formatHex(digest);
  }

  private static boolean isHexDigit(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }

  /** The bytes as they stand in the certificate, not a re-encoding of the parsed key. */
  private static byte[] subjectPublicKeyInfo(X509Certificate certificate) {
    try {
      return Certificate.getInstance(certificate.getEncoded())
          .getSubjectPublicKeyInfo()
          .getEncoded(ASN1Encoding.DER);
    } catch (CertificateEncodingException | IOException e) {
      throw new PkiException(
          "cannot encode the public key of " + certificate.getSubjectX500Principal(), e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      // SHA-256 is required of every Java platform.
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
