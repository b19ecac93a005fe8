package io.gatehouse.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM text and files for certificates, certificate chains and unencrypted PKCS#8 private keys (the
 * {@code -----BEGIN PRIVATE KEY-----} form OpenSSL writes; the older {@code BEGIN EC PRIVATE KEY}
 * is read too).
 *
 * <p>Every file written here has mode 0600 and appears whole: it is written next to its target and
 * moved into place, so a reader never sees half a key and a renewal replaces the old file in one
 * step. Errors name the file (or "PEM text") and never show key material.
 */
public final class Pem {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_ATTRIBUTE =
      PosixFilePermissions.asFileAttribute(OWNER_ONLY);
  private static final String TEXT = "PEM text";

  private Pem() {}

  /** The certificates as consecutive PEM blocks, in the order given (a chain: leaf first). */
  public static String certificates(List<X509Certificate> certificates) {
    return encode(certificates.toArray());
  }

  /** The key as a PKCS#8 {@code PRIVATE KEY} block. */
  public static String privateKey(PrivateKey key) {
    try {
      return encode(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new PkiException("cannot encode a " + key.getAlgorithm() + " private key as PKCS#8", e);
    }
  }

  /**
   * Every certificate in {@code text}, in order.
   *
   * @throws PkiException when the text holds no certificate or anything other than certificates
   */
  public static List<X509Certificate> parseCertificates(String text) {
    return parseCertificates(text, TEXT);
  }

  /**
   * The private key in {@code text}.
   *
   * @throws PkiException when the text holds no unencrypted private key
   */
  public static PrivateKey parsePrivateKey(String text) {
    return parsePrivateKey(text, TEXT);
  }

  /** Reads every certificate in {@code file}; errors name the file. */
  public static List<X509Certificate> readCertificates(Path file) {
    return parseCertificates(read(file, "certificate"), file.toString());
  }

  /** Reads the private key in {@code file}; errors name the file. */
  public static PrivateKey readPrivateKey(Path file) {
    return parsePrivateKey(read(file, "private key"), file.toString());
  }

  /** Writes the certificates to {@code file} (mode 0600), replacing it whole if it exists. */
  public static void writeCertificates(Path file, List<X509Certificate> certificates) {
    replace(file, certificates(certificates), "certificate");
  }

  /** Writes the key to {@code file} (mode 0600), replacing it whole if it exists. */
  public static void writePrivateKey(Path file, PrivateKey key) {
    replace(file, privateKey(key), "private key");
  }

  /** Writes {@code text} to a new file with mode 0600; an existing file is never touched. */
  static void create(Path file, String text, String what) {
    try {
      Files.createFile(file, OWNER_ONLY_ATTRIBUTE);
    } catch (FileAlreadyExistsException e) {
      throw new PkiException(file + ": exists already; a " + what + " is never overwritten");
    } catch (IOException e) {
      throw new PkiException(file + ": cannot create the " + what + ": " + e.getMessage(), e);
    }
    try {
      Files.writeString(
          file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new PkiException(file + ": cannot write the " + what + ": " + e.getMessage(), e);
    }
  }

  private static void replace(Path file, String text, String what) {
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Path partial =
          Files.createTempFile(dir, "." + file.getFileName(), ".partial", OWNER_ONLY_ATTRIBUTE);
      try {
        Files.writeString(partial, text, StandardCharsets.US_ASCII);
        Files.move(
            partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(partial);
      }
    } catch (IOException e) {
      throw new PkiException(file + ": cannot write the " + what + ": " + e.getMessage(), e);
    }
  }

  private static String read(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new PkiException(file + ": no such " + what + " file");
    } catch (IOException e) {
      throw new PkiException(file + ": cannot read the " + what + ": " + e.getMessage(), e);
    }
  }

  private static String encode(Object... objects) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      for (Object o : objects) {
        writer.writeObject(o);
      }
    } catch (IOException e) {
      // A StringWriter does not fail; the generator only fails for objects it cannot encode.
      throw new PkiException("cannot encode as PEM: " + e.getMessage(), e);
    }
    return text.toString();
  }

  private static List<X509Certificate> parseCertificates(String text, String source) {
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    List<X509Certificate> certificates = new ArrayList<>();
    for (Object o : objects(text, source)) {
      if (!(o instanceof X509CertificateHolder holder)) {
        throw new PkiException(source + ": holds " + describe(o) + " where a certificate belongs");
      }
      try {
        certificates.add(converter.getCertificate(holder));
      } catch (GeneralSecurityException e) {
        throw new PkiException(source + ": damaged certificate: " + e.getMessage(), e);
      }
    }
    if (certificates.isEmpty()) {
      throw new PkiException(source + ": no PEM certificate found");
    }
    return List.copyOf(certificates);
  }

  private static PrivateKey parsePrivateKey(String text, String source) {
    List<Object> objects = objects(text, source);
    if (objects.isEmpty()) {
      throw new PkiException(source + ": no PEM private key found");
    }
    if (objects.size() > 1) {
      throw new PkiException(source + ": holds more than one PEM block; expected one private key");
    }
    Object o = objects.get(0);
    PrivateKeyInfo info;
    if (o instanceof PrivateKeyInfo p) {
      info = p;
    } else if (o instanceof PEMKeyPair pair) {
      info = pair.getPrivateKeyInfo();
    } else if (o instanceof PKCS8EncryptedPrivateKeyInfo) {
      throw new PkiException(source + ": encrypted private keys are not supported");
    } else {
      throw new PkiException(source + ": holds " + describe(o) + " where a private key belongs");
    }
    try {
      return Keys.privateKey(info);
    } catch (NoSuchAlgorithmException e) {
      throw new PkiException(source + ": " + e.getMessage());
    } catch (GeneralSecurityException | RuntimeException e) {
      // The message of a failed key decoding may quote the encoding; keep it out.
      throw new PkiException(source + ": damaged private key");
    }
  }

  private static List<Object> objects(String text, String source) {
    List<Object> objects = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        objects.add(o);
      }
    } catch (IOException | RuntimeException e) {
      // Bouncy Castle reports bad base64 or ASN.1 as runtime exceptions; neither names secrets.
      throw new PkiException(source + ": damaged PEM (" + e.getClass().getSimpleName() + ")");
    }
    return objects;
  }

  private static String describe(Object o) {
    return switch (o.getClass().getSimpleName()) {
      case "PrivateKeyInfo", "PEMKeyPair", "PKCS8EncryptedPrivateKeyInfo" -> "a private key";
      case "X509CertificateHolder" -> "a certificate";
      case "PKCS10CertificationRequest" -> "a certificate request";
      default -> "a PEM block of another type (" + o.getClass().getSimpleName() + ")";
    };
  }
}
