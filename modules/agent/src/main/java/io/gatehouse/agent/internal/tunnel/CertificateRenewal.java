package io.gatehouse.agent.internal.tunnel;

import io.gatehouse.agent.AgentCredentials;
import io.gatehouse.pki.AgentCsr;
import io.gatehouse.pki.CaPin;
import io.gatehouse.pki.CertificateIdentity;
import io.gatehouse.pki.IssuedCertificate;
import io.gatehouse.pki.Pem;
import io.gatehouse.pki.PkiException;
import io.gatehouse.relay.tunnel.TunnelDialer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the agent's certificate fresh over its tunnels: once less than a third of its lifetime is
 * left, the agent asks a proxy on a control stream for a new one for the same key, stores what
 * comes back in its data directory and presents it on every tunnel it dials from then on (tunnels
 * already up stay as they are). A joined agent never has to rejoin while it runs.
 */
final class CertificateRenewal {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateRenewal.class);

  /** A request is not repeated sooner than this. */
  private static final Duration RETRY = Duration.ofMinutes(1);

  private final String agentId;
  private final Path dataDir;
  private final TunnelDialer dialer;
  private final Clock clock;
  private volatile AgentCredentials current;
  private volatile Instant lastAsked = Instant.MIN;

  CertificateRenewal(
      String agentId, Path dataDir, AgentCredentials current, TunnelDialer dialer, Clock clock) {
    this.agentId = agentId;
    this.dataDir = dataDir;
    this.current = current;
    this.dialer = dialer;
    this.clock = clock;
  }

  /** The renewal request to send now, if one is due and not asked for a minute ago. */
  synchronized String due() {
    X509Certificate leaf = current.own().leaf();
    Instant now = clock.instant();
    Instant from = leaf.getNotBefore().toInstant();
    Instant until = leaf.getNotAfter().toInstant();
    Duration left = Duration.between(now, until);
    if (left.compareTo(Duration.between(from, until).dividedBy(3)) > 0
        || lastAsked.plus(RETRY).isAfter(now)) {
      return null;
    }
    lastAsked = now;
    KeyPair keys = new KeyPair(leaf.getPublicKey(), current.own().key());
    return new JsonObject().put("renew", AgentCsr.create(agentId, keys).toPem()).encode() + "\n";
  }

  /** Takes a proxy's answer: checks it is this agent's, for its key, from its CA; then uses it. */
  void accept(JsonObject answer) {
    try {
      List<X509Certificate> chain = Pem.parseCertificates(answer.getString("certificate", ""));
      X509Certificate ca = Pem.parseCertificates(answer.getString("ca", "")).get(0);
      AgentCredentials before = current;
      if (!CaPin.of(before.ca()).matches(ca)
          || !chain.get(0).getPublicKey().equals(before.own().leaf().getPublicKey())
          || !CertificateIdentity.of(chain.get(0)).id().equals(agentId)) {
        LOG.warn("agent {}: a renewed certificate that is not its own was refused", agentId);
        return;
      }
      chain.get(0).verify(ca.getPublicKey());
      AgentCredentials renewed =
          new AgentCredentials(new IssuedCertificate(before.own().key(), chain), ca);
      renewed.write(dataDir);
      current = renewed;
      dialer.credentials(renewed.clientContext());
      LOG.info(
          "agent {}: certificate renewed until {}",
          agentId,
          chain.get(0).getNotAfter().toInstant());
    } catch (PkiException | IndexOutOfBoundsException | java.security.GeneralSecurityException e) {
      LOG.warn("agent {}: unusable renewed certificate: {}", agentId, e.getMessage());
    }
  }

  /** The certificate presented now. */
  AgentCredentials current() {
    return current;
  }
}
