package io.gatehouse.cli;

import io.gatehouse.pki.Pem;
import io.gatehouse.pki.TlsContexts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * {@code curl --cacert CA_FILE -H 'Host: NAME.localhost' https://…} over a TLS socket of its own:
 * the JDK HTTP client refuses to set {@code Host}, which is exactly what app routing by host name
 * needs. As curl does, it trusts only the CA file and checks the certificate against the URL's
 * host.
 */
final class Curl {
  record Response(int status, String head, String body) {
    /** The value of the {@code gatehouse_session} cookie the response sets, or null. */
    String sessionCookie() {
      for (String line : head.split("\r\n")) {
        String lower = line.toLowerCase(Locale.ROOT);
        if (lower.startsWith("set-cookie:") && lower.contains("gatehouse_session=")) {
          String value = line.substring(lower.indexOf("gatehouse_session=") + 18);
          int end = value.indexOf(';');
          return end < 0 ? value.strip() : value.substring(0, end);
        }
      }
      return null;
    }
  }

  private Curl() {}

  static Response get(String baseUrl, Path caFile, String host, String path) throws IOException {
    return get(baseUrl, caFile, host, path, null);
  }

  /**
   * {@code GET path} with {@code Host: host}, carrying {@code token} (null: none) the way a script
   * reaches an app: {@code Gatehouse-Authorization: Bearer …}.
   */
  static Response get(String baseUrl, Path caFile, String host, String path, String token)
      throws IOException {
    URI uri = URI.create(baseUrl);
    SSLContext tls = TlsContexts.trusting(Pem.readCertificates(caFile).get(0));
    try (SSLSocket socket =
        (SSLSocket) tls.getSocketFactory().createSocket(uri.getHost(), uri.getPort())) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(30_000);
      socket.startHandshake();
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: "
                  + host
                  + "\r\nUser-Agent: curl-test\r\nConnection: close\r\n"
                  + (token == null ? "" : "Gatehouse-Authorization: Bearer " + token + "\r\n")
                  + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      int status = Integer.parseInt(response.substring(9, 12));
      int split = response.indexOf("\r\n\r\n");
      return new Response(
          status,
          split < 0 ? response : response.substring(0, split),
          split < 0 ? "" : response.substring(split + 4));
    }
  }
}
