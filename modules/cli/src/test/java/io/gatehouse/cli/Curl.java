package io.gatehouse.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code curl -H 'Host: NAME.localhost' URL} over a plain socket: the JDK HTTP client refuses to
 * set {@code Host}, which is exactly what app routing by host name needs.
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

  static Response get(String baseUrl, String host, String path) throws IOException {
    URI uri = URI.create(baseUrl);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: "
                  + host
                  + "\r\nUser-Agent: curl-test\r\nConnection: close\r\n\r\n")
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
