package io.gatehouse.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret only proxies hold: 32 random bytes in {@code <ca dir>/cluster.secret} (mode 0600). Its
 * keyed hashes (HMAC-SHA256) stand for bearer secrets on topics: a session pin is keyed by the hash
 * of its session id and a join token is stored as its hash, so whoever reads a topic learns nothing
 * they could present. Each use has its own {@link Purpose}, so a hash made for one can never be
 * mistaken for the other.
 *
 * <p>Thread-safe; {@link #toString} never shows the key.
 */
public final class ClusterSecret {
  /** The file name inside the CA directory. */
  public static final String FILE = "cluster.secret";

  private static final int LENGTH = 32;
  private static final String ALGORITHM = "HmacSHA256";
  private static final HexFormat HEX = HexFormat.of();

  /** What a hash stands for; part of the keyed input, so each purpose has its own hash space. */
  public enum Purpose {
    SESSION("gatehouse session v1"),
    JOIN_TOKEN("gatehouse join token v1"),
    /** The key that signs users' credentials, the same on every proxy. */
    CREDENTIAL("gatehouse user credential v1"),
    /** Argon2's secret input for password hashes, so the users topic alone allows no guessing. */
    PASSWORD_PEPPER("gatehouse password pepper v1"),
    /**
     * The key that seals a single sign-on login under way into the browser's binding cookie, so any
     * proxy can finish it.
     */
    SSO_LOGIN("gatehouse sso login v1"),
    /**
     * The key that seals the one-time code {@code gatehouse login --sso} trades for a credential.
     */
    SSO_CODE("gatehouse sso code v1");

    private final byte[] label;

    Purpose(String label) {
      this.label = label.getBytes(StandardCharsets.US_ASCII);
    }
  }

  private final byte[] key;

  /** One initialised MAC per thread: a hash is taken on every request that carries a cookie. */
  private final ThreadLocal<Mac> macs;

  private ClusterSecret(byte[] key) {
    this.key = key.clone();
    SecretKeySpec spec = new SecretKeySpec(this.key, ALGORITHM);
    this.macs =
        ThreadLocal.withInitial(
            () -> {
              try {
                Mac mac = Mac.getInstance(ALGORITHM);
                mac.init(spec);
                return mac;
              } catch (GeneralSecurityException e) {
                // HmacSHA256 is required of every Java platform.
                throw new IllegalStateException(ALGORITHM + " is not available", e);
              }
            });
  }

  /** A secret from raw key bytes (at least 32); for tests and for {@link #read}. */
  public static ClusterSecret of(byte[] key) {
    if (key.length < LENGTH) {
      throw new PkiException(
          "a cluster secret has at least " + LENGTH + " bytes, not " + key.length);
    }
    return new ClusterSecret(key);
  }

  /** A fresh random secret, not yet written anywhere. */
  public static ClusterSecret generate(SecureRandom random) {
    byte[] key = new byte[LENGTH];
    random.nextBytes(key);
    return new ClusterSecret(key);
  }

  /**
   * Reads {@code dir}/{@value #FILE}.
   *
   * @throws PkiException naming the file when it is missing, unreadable or too short
   */
  public static ClusterSecret read(Path dir) {
    Path file = dir.resolve(FILE);
    try {
      String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
      byte[] key;
      try {
        key = HEX.parseHex(text);
      } catch (IllegalArgumentException e) {
        throw new PkiException(file + ": not a hex-encoded cluster secret");
      }
      if (key.length < LENGTH) {
        throw new PkiException(
            file + ": a cluster secret has at least " + LENGTH + " bytes, found " + key.length);
      }
      return new ClusterSecret(key);
    } catch (NoSuchFileException e) {
      throw new PkiException(
          file + ": no cluster secret (run `gatehouse ca init --dir " + dir + "`)");
    } catch (IOException e) {
      throw new PkiException(file + ": cannot read the cluster secret: " + e.getMessage(), e);
    }
  }

  /**
   * Writes the secret to {@code dir}/{@value #FILE} with mode 0600; never overwrites.
   *
   * @throws PkiException when the file exists or cannot be written
   */
  public void write(Path dir) {
    Path file = dir.resolve(FILE);
    try {
      Files.createDirectories(dir);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          file,
          HEX.formatHex(key) + "\n",
          StandardCharsets.US_ASCII,
          StandardOpenOption.TRUNCATE_EXISTING);
    } catch (FileAlreadyExistsException e) {
      throw new PkiException(file + ": exists already; a cluster secret is never overwritten");
    } catch (IOException e) {
      throw new PkiException(file + ": cannot write the cluster secret: " + e.getMessage(), e);
    }
  }

  /** The keyed hash of {@code value} for {@code purpose}, as 64 lower-case hex digits. */
  public String hash(Purpose purpose, String value) {
    Mac mac = macs.get();
    // doFinal resets the MAC for the next use on this thread.
    mac.update(purpose.label);
    mac.update((byte) 0);
    return HEX.formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * A 32-byte key for {@code purpose}, derived from the secret (HMAC-SHA256 of the purpose's label
   * and a zero byte: one HKDF-Expand block): every proxy of a cluster derives the same, and a key
   * for one purpose says nothing about the secret or another purpose's key. The caller owns the
   * array.
   */
  public byte[] derive(Purpose purpose) {
    Mac mac = macs.get();
    mac.update(purpose.label);
    return mac.doFinal(new byte[] {0, 1});
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClusterSecret other && Arrays.equals(key, other.key);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return "ClusterSecret[redacted]";
  }
}
