package io.gatehouse.pki;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * The one key type Gatehouse makes, EC on P-256 with ECDSA over SHA-256, which every TLS 1.3 stack
 * (JDK, Netty's OpenSSL, browsers) accepts for client and server authentication; and the key types
 * it reads (EC, RSA, Ed25519), decoded with the JDK's own key factories so that no Bouncy Castle
 * provider has to be installed.
 */
final class Keys {
  static final String SIGNATURE = "SHA256withECDSA";
  private static final String CURVE = "secp256r1";
  private static final int FIELD_BITS = 256;

  private static final Map<ASN1ObjectIdentifier, String> ALGORITHMS =
      Map.of(
          X9ObjectIdentifiers.id_ecPublicKey, "EC",
          PKCSObjectIdentifiers.rsaEncryption, "RSA",
          EdECObjectIdentifiers.id_Ed25519, "Ed25519");

  private Keys() {}

  /** The JDK key of {@code info}; a message naming the algorithm when it is not supported. */
  static PublicKey publicKey(SubjectPublicKeyInfo info) throws GeneralSecurityException {
    try {
      return factory(info.getAlgorithm())
          .generatePublic(new X509EncodedKeySpec(info.getEncoded(ASN1Encoding.DER)));
    } catch (IOException e) {
      throw new InvalidKeySpecException("cannot encode the public key", e);
    }
  }

  /** The JDK key of {@code info}; a message naming the algorithm when it is not supported. */
  static PrivateKey privateKey(PrivateKeyInfo info) throws GeneralSecurityException {
    try {
      return factory(info.getPrivateKeyAlgorithm())
          .generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded(ASN1Encoding.DER)));
    } catch (IOException e) {
      throw new InvalidKeySpecException("cannot encode the private key", e);
    }
  }

  private static KeyFactory factory(AlgorithmIdentifier algorithm) throws GeneralSecurityException {
    String name = ALGORITHMS.get(algorithm.getAlgorithm());
    if (name == null) {
      throw new NoSuchAlgorithmException(
          "unsupported key algorithm " + algorithm.getAlgorithm() + " (use EC, RSA or Ed25519)");
    }
    return KeyFactory.getInstance(name);
  }

  static KeyPair generate(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(CURVE), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      // P-256 is required of every Java platform.
      throw new IllegalStateException("EC " + CURVE + " is not available", e);
    }
  }

  /** True for an EC public key on P-256; the only kind an agent may present. */
  static boolean isP256(PublicKey key) {
    return key instanceof ECPublicKey ec
        && ec.getParams().getCurve().getField().getFieldSize() == FIELD_BITS;
  }

  /**
   * True when {@code privateKey} is the other half of {@code publicKey}: a signature made with one
   * verifies with the other. This catches a key file paired with someone else's certificate.
   */
  static boolean belongTogether(PrivateKey privateKey, PublicKey publicKey) {
    if (!privateKey.getAlgorithm().equals(publicKey.getAlgorithm())) {
      return false;
    }
    try {
      byte[] challenge =
          "gatehouse key pair check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      Signature signer = Signature.getInstance(signatureFor(privateKey));
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(signatureFor(privateKey));
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String signatureFor(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "EC" -> SIGNATURE;
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> key.getAlgorithm();
    };
  }
}
