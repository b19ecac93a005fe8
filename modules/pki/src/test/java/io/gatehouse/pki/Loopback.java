package io.gatehouse.pki;

import java.io.IOException;
import java.net.InetAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * One TLS connection over loopback sockets: a server that accepts once, finishes the handshake and
 * echoes a byte, and a client that sends the byte and reads it back. Each side's failure, if any,
 * is kept, because in TLS 1.3 a refused client certificate fails the server's handshake but shows
 * on the client only when it reads.
 */
final class Loopback {
  private static final int TIMEOUT_MS = 10_000;

  /** What each side saw; a side's failure is empty when it completed the exchange. */
  record Outcome(
      Optional<Throwable> serverFailure,
      Optional<Throwable> clientFailure,
      Optional<X509Certificate> clientCertificate,
      Optional<X509Certificate> serverCertificate,
      String protocol) {
    boolean succeeded() {
      return serverFailure.isEmpty() && clientFailure.isEmpty();
    }
  }

  private Loopback() {}

  static Outcome connect(SSLContext server, boolean needClientAuth, SSLContext client)
      throws IOException, InterruptedException, TimeoutException {
    try (SSLServerSocket listener =
        (SSLServerSocket)
            server
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listener.setNeedClientAuth(needClientAuth);
      listener.setSoTimeout(TIMEOUT_MS);
      CompletableFuture<SSLSession> served = new CompletableFuture<>();
      Thread serverThread =
          new Thread(
              () -> {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                  socket.setSoTimeout(TIMEOUT_MS);
                  socket.startHandshake();
                  int b = socket.getInputStream().read();
                  socket.getOutputStream().write(b);
                  socket.getOutputStream().flush();
                  served.complete(socket.getSession());
                } catch (Throwable t) {
                  served.completeExceptionally(t);
                }
              },
              "loopback-tls-server");
      serverThread.start();

      Optional<Throwable> clientFailure = Optional.empty();
      Optional<X509Certificate> serverCertificate = Optional.empty();
      String protocol = "";
      try (SSLSocket socket =
          (SSLSocket)
              client
                  .getSocketFactory()
                  .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
        socket.setSoTimeout(TIMEOUT_MS);
        socket.startHandshake();
        socket.getOutputStream().write(42);
        socket.getOutputStream().flush();
        int echoed = socket.getInputStream().read();
        if (echoed != 42) {
          throw new IOException("the server closed the connection instead of echoing");
        }
        serverCertificate = peer(socket.getSession());
        protocol = socket.getSession().getProtocol();
      } catch (IOException e) {
        clientFailure = Optional.of(e);
      }

      Optional<Throwable> serverFailure = Optional.empty();
      Optional<X509Certificate> clientCertificate = Optional.empty();
      try {
        clientCertificate = peer(served.get(TIMEOUT_MS, TimeUnit.MILLISECONDS));
      } catch (ExecutionException e) {
        serverFailure = Optional.of(e.getCause());
      }
      serverThread.join(TIMEOUT_MS);
      return new Outcome(
          serverFailure, clientFailure, clientCertificate, serverCertificate, protocol);
    }
  }

  private static Optional<X509Certificate> peer(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      return Optional.of((X509Certificate) chain[0]);
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }
}
