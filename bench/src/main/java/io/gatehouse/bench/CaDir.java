package io.gatehouse.bench;

import io.gatehouse.pki.ClusterSecret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The CA directory a benchmarked proxy reads its cluster secret from ({@code proxy.ca.dir}): made
 * once per work directory, kept when it is there already (a restarted proxy must find its sessions
 * under the same secret).
 */
public final class CaDir {
  private CaDir() {}

  /** {@code dir}, with a cluster secret in it. */
  public static Path ensure(Path dir) {
    if (!Files.exists(dir.resolve(ClusterSecret.FILE))) {
      ClusterSecret.generate(new SecureRandom()).write(dir);
    }
    return dir;
  }
}
