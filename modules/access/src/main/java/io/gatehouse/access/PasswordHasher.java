package io.gatehouse.access;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Password hashes: argon2id (Bouncy Castle's {@link Argon2BytesGenerator}) with OWASP's parameters
 * (19 MiB, 2 passes, 1 lane), a 16-byte random salt and a 32-byte output, written as a PHC string
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} (base64 without padding).
 *
 * <p>The pepper is Argon2's secret input: a key every proxy derives from the cluster secret and
 * nothing stores on a topic, so a hash read from {@code gatehouse.users} cannot be guessed offline
 * without it. Thread-safe; each call allocates its own 19 MiB of working memory, so callers bound
 * how many run at once. Temporary copies of passwords are zeroed; the caller zeroes its own.
 */
public final class PasswordHasher {
  public static final int MEMORY_KIB = 19456;
  public static final int ITERATIONS = 2;
  public static final int PARALLELISM = 1;
  public static final int SALT_BYTES = 16;
  public static final int HASH_BYTES = 32;
  public static final int PEPPER_BYTES = 32;
  public static final int MIN_LENGTH = 12;
  public static final int MAX_LENGTH = 1024;

  // Bounds on what verify accepts from a stored hash: a record on a topic must not make a proxy
  // spend a gigabyte or a minute on one login.
  private static final int MAX_MEMORY_KIB = 256 * 1024;
  private static final int MAX_ITERATIONS = 16;
  private static final int MAX_PARALLELISM = 8;
  private static final Pattern PHC =
      Pattern.compile(
          "\\$argon2id\\$v=19\\$m=([0-9]{1,7}),t=([0-9]{1,3}),p=([0-9]{1,3})"
              + "\\$([A-Za-z0-9+/]{11,88})\\$([A-Za-z0-9+/]{22,88})");
  // Unambiguous when read aloud or off a screen: no 0/O/o, 1/l/I.
  private static final char[] ALPHABET =
      "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789".toCharArray();
  private static final int RANDOM_LENGTH = 20;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64_DECODER = Base64.getDecoder();
  private static final byte[] DUMMY_SALT = new byte[SALT_BYTES];

  private final byte[] pepper;

  /**
   * @param pepper the 32-byte key derived from the cluster secret; copied
   */
  public PasswordHasher(byte[] pepper) {
    if (pepper == null || pepper.length != PEPPER_BYTES) {
      throw new AccessException("a password pepper is " + PEPPER_BYTES + " bytes");
    }
    this.pepper = pepper.clone();
  }

  /** A new hash of {@code password} with a fresh salt, as a PHC string. */
  public String hash(char[] password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] out = derive(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
    try {
      return "$argon2id$v=19$m="
          + MEMORY_KIB
          + ",t="
          + ITERATIONS
          + ",p="
          + PARALLELISM
          + "$"
          + B64.encodeToString(salt)
          + "$"
          + B64.encodeToString(out);
    } finally {
      Arrays.fill(out, (byte) 0);
    }
  }

  /**
   * True when {@code password} is the one {@code phc} was made from, under this pepper. The
   * comparison takes the same time wherever the bytes differ. Any malformed or out-of-bounds {@code
   * phc} is false, never an exception (which could end up in a log with the hash).
   */
  public boolean verify(char[] password, String phc) {
    if (phc == null) {
      return false;
    }
    Matcher m = PHC.matcher(phc);
    if (!m.matches()) {
      return false;
    }
    int memory = Integer.parseInt(m.group(1));
    int iterations = Integer.parseInt(m.group(2));
    int parallelism = Integer.parseInt(m.group(3));
    if (memory > MAX_MEMORY_KIB
        || iterations < 1
        || iterations > MAX_ITERATIONS
        || parallelism < 1
        || parallelism > MAX_PARALLELISM
        || memory < 8 * parallelism) {
      return false;
    }
    byte[] salt;
    byte[] expected;
    try {
      salt = B64_DECODER.decode(m.group(4));
      expected = B64_DECODER.decode(m.group(5));
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (salt.length < 8 || expected.length < 16) {
      return false;
    }
    byte[] actual = derive(password, salt, memory, iterations, parallelism, expected.length);
    try {
      return MessageDigest.isEqual(actual, expected);
    } finally {
      Arrays.fill(actual, (byte) 0);
    }
  }

  /**
   * Costs what a {@link #verify} of a current hash costs, and says nothing: for a login naming an
   * unknown user, so that timing does not tell which names exist.
   */
  public void verifyNothing(char[] password) {
    byte[] out = derive(password, DUMMY_SALT, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
    Arrays.fill(out, (byte) 0);
  }

  /** True when {@code phc} was made with other parameters than today's: hash again at login. */
  public static boolean needsRehash(String phc) {
    Matcher m = phc == null ? null : PHC.matcher(phc);
    return m == null
        || !m.matches()
        || Integer.parseInt(m.group(1)) != MEMORY_KIB
        || Integer.parseInt(m.group(2)) != ITERATIONS
        || Integer.parseInt(m.group(3)) != PARALLELISM;
  }

  /** A new password of 20 characters from an unambiguous alphabet of 56 (about 116 bits). */
  public static char[] randomPassword() {
    char[] out = new char[RANDOM_LENGTH];
    for (int i = 0; i < out.length; i++) {
      out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return out;
  }

  /** Why {@code password} is not acceptable, or empty when it is. */
  public static Optional<String> weakness(char[] password) {
    if (password == null || password.length < MIN_LENGTH) {
      return Optional.of("a password needs at least " + MIN_LENGTH + " characters");
    }
    if (password.length > MAX_LENGTH) {
      return Optional.of("a password has at most " + MAX_LENGTH + " characters");
    }
    return Optional.empty();
  }

  private byte[] derive(
      char[] password, byte[] salt, int memory, int iterations, int parallelism, int length) {
    // Builder and parameters each keep copies of salt and pepper: both are cleared after use.
    Argon2Parameters.Builder builder =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(memory)
            .withIterations(iterations)
            .withParallelism(parallelism)
            .withSalt(salt)
            .withSecret(pepper);
    Argon2Parameters params = builder.build();
    builder.clear();
    byte[] bytes = utf8(password);
    byte[] out = new byte[length];
    try {
      Argon2BytesGenerator generator = new Argon2BytesGenerator();
      generator.init(params);
      generator.generateBytes(bytes, out);
      return out;
    } finally {
      Arrays.fill(bytes, (byte) 0);
      params.clear();
    }
  }

  /** UTF-8 bytes of {@code password} without leaving an unzeroed copy behind. */
  private static byte[] utf8(char[] password) {
    ByteBuffer buffer = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    if (buffer.hasArray()) {
      Arrays.fill(buffer.array(), (byte) 0);
    }
    return bytes;
  }
}
