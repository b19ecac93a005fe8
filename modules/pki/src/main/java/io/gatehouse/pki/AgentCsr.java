package io.gatehouse.pki;

import io.gatehouse.config.NodeId;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * An agent's certificate signing request (PKCS#10): the agent's public key and the id it claims as
 * the subject's common name, signed with the matching private key. The agent makes its key pair
 * with {@link #generateKeyPair} and keeps the private key; only this request travels, as PEM
 * ({@link #toPem}, {@link #parse}). The cluster CA checks the signature and the id in {@link
 * ClusterCa#signAgent}; {@link #parse} only reads.
 *
 * <p>Immutable; equal when the encoded requests are equal.
 */
public final class AgentCsr {
  private final PKCS10CertificationRequest request;

  private AgentCsr(PKCS10CertificationRequest request) {
    this.request = request;
  }

  /** A fresh EC P-256 key pair, the kind every agent holds. */
  public static KeyPair generateKeyPair(SecureRandom random) {
    return Keys.generate(random);
  }

  /**
   * A request for {@code agentId}, signed with {@code keys}.
   *
   * @throws PkiException when the id breaks the {@link NodeId} rule or the key is not EC P-256
   */
  public static AgentCsr create(String agentId, KeyPair keys) {
    try {
      NodeId.check("agent", agentId);
    } catch (IllegalArgumentException e) {
      throw new PkiException(e.getMessage());
    }
    if (!Keys.isP256(keys.getPublic())) {
      throw new PkiException("agent " + agentId + ": the key pair must be EC P-256");
    }
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, agentId).build();
    try {
      return new AgentCsr(
          new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic())
              .build(new JcaContentSignerBuilder(Keys.SIGNATURE).build(keys.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new PkiException("agent " + agentId + ": cannot sign the certificate request", e);
    }
  }

  /**
   * Reads a {@code CERTIFICATE REQUEST} PEM block.
   *
   * @throws PkiException when {@code pem} is not exactly one certificate request
   */
  public static AgentCsr parse(String pem) {
    Object o;
    try (PEMParser parser = new PEMParser(new StringReader(pem == null ? "" : pem))) {
      o = parser.readObject();
      if (o != null && parser.readObject() != null) {
        throw new PkiException("a certificate request is one PEM block, found more");
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof PkiException p) {
        throw p;
      }
      throw new PkiException("damaged certificate request (" + e.getClass().getSimpleName() + ")");
    }
    if (!(o instanceof PKCS10CertificationRequest request)) {
      throw new PkiException("not a PEM certificate request (BEGIN CERTIFICATE REQUEST)");
    }
    return new AgentCsr(request);
  }

  /** The request as a {@code CERTIFICATE REQUEST} PEM block. */
  public String toPem() {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(request);
    } catch (IOException e) {
      throw new PkiException("cannot encode the certificate request: " + e.getMessage(), e);
    }
    return text.toString();
  }

  /**
   * The id the agent claims: the subject's one common name.
   *
   * @throws PkiException when the subject has no common name or more than one
   */
  public String agentId() {
    RDN[] names = request.getSubject().getRDNs(BCStyle.CN);
    if (names.length != 1 || names[0].isMultiValued()) {
      throw new PkiException(
          "certificate request for '" + request.getSubject() + "': expected one common name");
    }
    ASN1Encodable value = names[0].getFirst().getValue();
    return IETFUtils.valueToString(value);
  }

  /**
   * The public key the certificate will certify; compare it with an agent's current certificate to
   * tell a renewal (same key or same agent) from another machine claiming the id.
   */
  public PublicKey publicKey() {
    try {
      return Keys.publicKey(request.getSubjectPublicKeyInfo());
    } catch (GeneralSecurityException e) {
      throw new PkiException(
          "certificate request for '" + request.getSubject() + "': " + e.getMessage(), e);
    }
  }

  /** True when the request is signed by the private key of {@link #publicKey}. */
  boolean signatureValid() {
    try {
      return request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey()));
    } catch (OperatorCreationException | PKCSException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AgentCsr other && Arrays.equals(encoded(), other.encoded());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded());
  }

  @Override
  public String toString() {
    return "AgentCsr[" + request.getSubject() + "]";
  }

  private byte[] encoded() {
    try {
      return request.getEncoded();
    } catch (IOException e) {
      throw new PkiException("cannot encode the certificate request", e);
    }
  }
}
