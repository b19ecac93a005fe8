package io.gatehouse.cli.client;

import io.gatehouse.cli.CliException;
import io.gatehouse.cli.profile.Profile;
import io.gatehouse.pki.Pem;
import io.gatehouse.pki.PkiException;
import io.gatehouse.pki.TlsContexts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * How the CLI trusts the proxy: exactly the CA in the profile's CA file (the cluster CA, or the CA
 * of the operator's own certificate when {@code proxy.tls} names one), nothing from the system
 * trust store; a profile without a CA file trusts the system's store, for a proxy whose certificate
 * a public CA issued. Host names are checked by the clients that use the context (the JDK HTTP
 * client and {@code TunnelClient} both ask for HTTPS endpoint identification), so a certificate
 * from the right CA for another host is refused too.
 */
public final class ProxyTrust {
  private ProxyTrust() {}

  /**
   * TLS trusting the CA file of {@code profile}, or the system's trust store when it names none.
   *
   * @throws CliException (exit 1) when the file is missing, damaged or not a CA certificate; the
   *     message says where the CA file comes from
   */
  public static SSLContext context(Profile profile) {
    if (profile.caFile().isEmpty()) {
      return systemTrust();
    }
    Path file = profile.caFile().get();
    if (!Files.isRegularFile(file)) {
      throw CliException.user(
          "CA file "
              + file
              + ": no such file (named by "
              + profile.source()
              + "; gatehouse dev writes it as <data-dir>/ca/ca.crt)");
    }
    try {
      List<X509Certificate> certificates = Pem.readCertificates(file);
      if (certificates.size() != 1) {
        throw CliException.user(
            "CA file "
                + file
                + ": expected the cluster CA's certificate alone, found "
                + certificates.size()
                + " certificates");
      }
      return TlsContexts.trusting(certificates.get(0));
    } catch (PkiException e) {
      throw CliException.user("CA file " + file + ": " + e.getMessage());
    }
  }

  /**
   * Why a TLS handshake with the proxy failed, in a user's words: the certificate problem when
   * there was one (unknown CA, wrong host name, expired), else the handshake's own message.
   */
  public static String reason(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof CertPathBuilderException) {
        return "it is not signed by that CA";
      }
      if (t instanceof CertificateException && t.getMessage() != null) {
        if (t.getMessage().startsWith("PKIX path")) {
          continue;
        }
        return t.getMessage();
      }
    }
    return failure.getMessage() == null ? failure.toString() : failure.getMessage();
  }

  private static SSLContext systemTrust() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      // Null managers: the JVM's default trust store (cacerts), and no client certificate.
      context.init(null, null, null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw CliException.user("cannot use the system's trust store: " + e.getMessage());
    }
  }
}
