package io.gatehouse.bench;

import io.gatehouse.agent.AgentCredentials;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.IssuedCertificate;
import io.gatehouse.pki.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The cluster CA of a benchmark run ({@code proxy.ca.dir}): made once per work directory and kept
 * when it is there already (a restarted proxy must find its sessions under the same cluster
 * secret). It issues the benchmarked agents' credentials and the HAProxy chain's certificates, so
 * every TLS hop of every compared path chains to one CA.
 */
public final class CaDir {
  private static final Set<String> ALL_KINDS =
      Arrays.stream(ResourceKind.values()).map(ResourceKind::word).collect(Collectors.toSet());
  private static final Duration LIFETIME = Duration.ofDays(2);

  private CaDir() {}

  /** {@code dir}, with a cluster CA (key, certificate, cluster secret) in it. */
  public static Path ensure(Path dir) {
    if (!Files.exists(dir.resolve(ClusterCa.CERT_FILE))) {
      ClusterCa.init(dir, Clock.systemUTC(), new SecureRandom());
    }
    return dir;
  }

  /** The CA in {@code dir}, made first if missing. */
  public static ClusterCa load(Path dir) {
    return ClusterCa.load(ensure(dir));
  }

  /** Writes agent {@code id}'s key, certificate (every kind) and the CA's into {@code dataDir}. */
  public static void issueAgent(ClusterCa ca, String id, Path dataDir) {
    AgentCredentials.issue(ca, id, ALL_KINDS, LIFETIME, new SecureRandom()).write(dataDir);
  }

  /**
   * A server certificate for 127.0.0.1 and localhost as one PEM file (chain, then key), the form
   * HAProxy's {@code crt} takes; mode 0600.
   */
  public static Path serverPem(ClusterCa ca, String name, Path file) {
    try {
      IssuedCertificate issued =
          ca.issueProxy(
              name, List.of("localhost"), List.of(InetAddress.getByName("127.0.0.1")), LIFETIME);
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.deleteIfExists(file);
      Files.createFile(
          file,
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, Pem.certificates(issued.chain()) + Pem.privateKey(issued.key()));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
