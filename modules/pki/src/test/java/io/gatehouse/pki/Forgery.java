package io.gatehouse.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.util.io.pem.PemReader;

/** Trust material made wrong on purpose, as an attacker or a broken client would. */
final class Forgery {
  private Forgery() {}

  /**
   * A CSR for {@code agentId} that carries one key but a signature made by another: what someone
   * who wants a certificate for a key they do not hold would send.
   */
  static AgentCsr csrSignedByAnotherKey(String agentId, SecureRandom random) {
    CertificationRequest honest =
        request(AgentCsr.create(agentId, AgentCsr.generateKeyPair(random)));
    KeyPair other = AgentCsr.generateKeyPair(random);
    CertificationRequest signedByOther = request(AgentCsr.create(agentId, other));
    CertificationRequest forged =
        new CertificationRequest(
            honest.getCertificationRequestInfo(),
            honest.getSignatureAlgorithm(),
            new DERBitString(signedByOther.getSignature().getOctets()));
    return AgentCsr.parse(pem("CERTIFICATE REQUEST", der(forged)));
  }

  /** One PEM block of {@code type} around {@code der}. */
  static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static CertificationRequest request(AgentCsr csr) {
    try (PemReader reader = new PemReader(new StringReader(csr.toPem()))) {
      return CertificationRequest.getInstance(reader.readPemObject().getContent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] der(CertificationRequest request) {
    try {
      return request.getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
