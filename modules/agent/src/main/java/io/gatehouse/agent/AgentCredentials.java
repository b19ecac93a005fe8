package io.gatehouse.agent;

import io.gatehouse.pki.AgentCsr;
import io.gatehouse.pki.CertificateIdentity;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.IssuedCertificate;
import io.gatehouse.pki.Pem;
import io.gatehouse.pki.PkiException;
import io.gatehouse.pki.TlsContexts;
import io.gatehouse.relay.NativeTls;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What an agent proves itself with: its key and certificate from the cluster CA, and the CA's
 * certificate it trusts proxies by, kept in its data directory as {@code agent.key}, {@code
 * agent.crt} and {@code ca.crt}. The certificate must name this agent.
 *
 * @param own the agent's key and certificate chain
 * @param ca the cluster CA's certificate
 */
public record AgentCredentials(IssuedCertificate own, X509Certificate ca) {
  public static final String KEY_FILE = "agent.key";
  public static final String CERT_FILE = "agent.crt";
  public static final String CA_FILE = "ca.crt";

  /**
   * Reads the credentials of agent {@code agentId} from {@code dataDir}.
   *
   * @throws AgentException naming the file and what to do when one is missing, damaged or names
   *     another agent
   */
  public static AgentCredentials read(Path dataDir, String agentId) {
    Path cert = dataDir.resolve(CERT_FILE);
    Path key = dataDir.resolve(KEY_FILE);
    Path ca = dataDir.resolve(CA_FILE);
    for (Path file : List.of(cert, key, ca)) {
      if (!Files.exists(file)) {
        throw new AgentException(
            "agent "
                + agentId
                + " has no "
                + file.getFileName()
                + " in "
                + dataDir
                + ": join the cluster with a token (agent.join) or place the files "
                + CERT_FILE
                + ", "
                + KEY_FILE
                + " and "
                + CA_FILE
                + " there");
      }
    }
    try {
      IssuedCertificate own = IssuedCertificate.read(cert, key);
      CertificateIdentity identity = own.identity();
      if (identity.role() != CertificateIdentity.Role.AGENT || !identity.id().equals(agentId)) {
        throw new AgentException(
            cert
                + " names "
                + identity.role().word()
                + " "
                + identity.id()
                + ", not agent "
                + agentId);
      }
      return new AgentCredentials(own, Pem.readCertificates(ca).get(0));
    } catch (PkiException e) {
      throw new AgentException("agent " + agentId + ": " + e.getMessage(), e);
    }
  }

  /** The agent id named by the certificate in {@code dataDir}, if it holds a readable one. */
  public static java.util.Optional<String> storedId(Path dataDir) {
    Path cert = dataDir.resolve(CERT_FILE);
    if (!Files.exists(cert)) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(CertificateIdentity.of(Pem.readCertificates(cert).get(0)).id());
    } catch (PkiException | IndexOutOfBoundsException e) {
      return java.util.Optional.empty();
    }
  }

  /** Whether {@code dataDir} holds an agent certificate (the agent has joined before). */
  public static boolean exist(Path dataDir) {
    return Files.exists(dataDir.resolve(CERT_FILE));
  }

  /**
   * Issues credentials straight from the CA, as an operator provisioning an agent by hand (or a
   * test, or dev mode) would: a fresh key, its request, and the CA's certificate for it.
   */
  public static AgentCredentials issue(
      ClusterCa ca, String agentId, Set<String> kinds, Duration lifetime, SecureRandom random) {
    KeyPair keys = AgentCsr.generateKeyPair(random);
    X509Certificate leaf = ca.signAgent(AgentCsr.create(agentId, keys), agentId, kinds, lifetime);
    return new AgentCredentials(
        new IssuedCertificate(keys.getPrivate(), List.of(leaf, ca.certificate())),
        ca.certificate());
  }

  /**
   * Writes the three files into {@code dataDir} (created if missing), the key with mode 0600.
   *
   * @throws AgentException naming the file that cannot be written
   */
  public void write(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      own.writeTo(dataDir.resolve(CERT_FILE), dataDir.resolve(KEY_FILE));
      Pem.writeCertificates(dataDir.resolve(CA_FILE), List.of(ca));
    } catch (IOException | PkiException e) {
      throw new AgentException(
          "cannot write the agent's credentials to " + dataDir + ": " + e.getMessage(), e);
    }
  }

  /** The kinds of resource the certificate allows the agent to serve. */
  public Set<String> kinds() {
    return own.identity().kinds();
  }

  /** TLS 1.3 as a client: presents the agent's certificate, trusts only the cluster CA. */
  public SslContext clientContext() {
    return NativeTls.client(
        TlsContexts.keyManager(own),
        TlsContexts.trustManager(ca),
        TlsContexts.PROTOCOL,
        "http/1.1");
  }

  @Override
  public String toString() {
    return "AgentCredentials[" + own.identity() + "]";
  }
}
