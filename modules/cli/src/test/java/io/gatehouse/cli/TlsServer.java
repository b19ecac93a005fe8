package io.gatehouse.cli;

import io.gatehouse.pki.IssuedCertificate;
import io.gatehouse.pki.TlsContexts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server on a loopback port that presents {@code certificate} and answers every request with
 * {@code 200} and an empty JSON list: enough to stand for a proxy whose certificate is under test.
 */
final class TlsServer implements AutoCloseable {
  private final SSLServerSocket listener;
  private final Thread thread;

  TlsServer(IssuedCertificate certificate, X509Certificate ca) throws IOException {
    listener =
        (SSLServerSocket)
            TlsContexts.mutual(certificate, ca)
                .getServerSocketFactory()
                .createServerSocket(0, 8, InetAddress.getLoopbackAddress());
    thread = new Thread(this::serve, "tls-server");
    thread.setDaemon(true);
    thread.start();
  }

  String url() {
    return "https://127.0.0.1:" + listener.getLocalPort();
  }

  private void serve() {
    while (!listener.isClosed()) {
      try (SSLSocket socket = (SSLSocket) listener.accept()) {
        socket.setSoTimeout(5_000);
        socket.startHandshake();
        // Read the head, then answer; the client closes the connection.
        byte[] buf = new byte[4096];
        socket.getInputStream().read(buf);
        OutputStream out = socket.getOutputStream();
        out.write(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]"
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException e) {
        if (listener.isClosed()) {
          return;
        }
        // A refused handshake: the client under test saw it too; serve the next one.
      }
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
