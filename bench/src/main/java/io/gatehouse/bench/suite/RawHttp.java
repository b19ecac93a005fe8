package io.gatehouse.bench.suite;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One HTTP/1.1 request (plain or over TLS) on a fresh loopback connection with {@code Connection:
 * close}. The JDK's HttpClient will not send a {@code Host} header of our choosing, and Gatehouse
 * routes apps by host name, so the suite speaks HTTP on a plain socket.
 */
public final class RawHttp {
  private RawHttp() {}

  /** A response: its status, header lines and body size. */
  public record Response(int status, List<String> headers, int bodyBytes) {
    /** The value of the first header called {@code name}, if any. */
    public Optional<String> header(String name) {
      String prefix = name.toLowerCase(Locale.ROOT) + ":";
      return headers.stream()
          .filter(h -> h.toLowerCase(Locale.ROOT).startsWith(prefix))
          .map(h -> h.substring(prefix.length()).strip())
          .findFirst();
    }

    /** The {@code name=value} part of the first {@code Set-Cookie}, if any. */
    public Optional<String> cookie() {
      return header("Set-Cookie").map(c -> c.split(";", 2)[0]);
    }
  }

  static Response get(int port, String host, String path, String cookie) throws IOException {
    return get(port, null, host, path, cookie);
  }

  /** Over TLS when {@code tls} is not null (the certificate checked for 127.0.0.1). */
  static Response get(int port, SSLContext tls, String host, String path, String cookie)
      throws IOException {
    return get(port, tls, host, path, cookie, List.of());
  }

  /** {@link #get(int, SSLContext, String, String, String)} with more header lines. */
  public static Response get(
      int port, SSLContext tls, String host, String path, String cookie, List<String> extra)
      throws IOException {
    try (Socket s = connect(port, tls)) {
      s.setSoTimeout(10_000);
      String request =
          "GET "
              + path
              + " HTTP/1.1\r\nHost: "
              + host
              + "\r\n"
              + (cookie == null ? "" : "Cookie: " + cookie + "\r\n")
              + extra.stream().map(h -> h + "\r\n").collect(java.util.stream.Collectors.joining())
              + "Connection: close\r\n\r\n";
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        throw new IOException(
            "no HTTP response head from 127.0.0.1:" + port + " (" + text.length() + " bytes)");
      }
      String[] lines = text.substring(0, end).split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      List<String> headers = new ArrayList<>(List.of(lines).subList(1, lines.length));
      return new Response(status, headers, text.length() - end - 4);
    }
  }

  /**
   * A loopback connection to {@code port}, TLS with the host name checked when {@code tls} is set.
   */
  static Socket connect(int port, SSLContext tls) throws IOException {
    if (tls == null) {
      return new Socket(InetAddress.getLoopbackAddress(), port);
    }
    SSLSocket socket =
        (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
    try {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }
}
