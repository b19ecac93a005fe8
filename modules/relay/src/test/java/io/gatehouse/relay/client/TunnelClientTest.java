package io.gatehouse.relay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.IssuedCertificate;
import io.gatehouse.pki.TlsContexts;
import io.gatehouse.relay.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user's end against a socket that answers as a proxy would, byte for byte. */
class TunnelClientTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private ServerSocket proxy;
  private SSLContext client;

  /** A TLS server socket with a proxy certificate from a throwaway cluster CA. */
  @BeforeEach
  void listen(@TempDir Path dir) throws IOException {
    ClusterCa ca = ClusterCa.init(dir.resolve("ca"), Clock.systemUTC(), new SecureRandom());
    IssuedCertificate cert =
        ca.issueProxy(
            "proxy-1",
            List.of("localhost"),
            List.of(InetAddress.getLoopbackAddress()),
            Duration.ofHours(1));
    proxy =
        TlsContexts.mutual(cert, ca.certificate())
            .getServerSocketFactory()
            .createServerSocket(0, 1, InetAddress.getLoopbackAddress());
    client = TlsContexts.trusting(ca.certificate());
  }

  @AfterEach
  void close() throws IOException {
    proxy.close();
  }

  @Test
  void aRefusalCarriesTheStatusTheCodeAndTheProxysMessage() throws Exception {
    String body = "unknown resource db/nope\n";
    CompletableFuture<String> request =
        answerOnce(
            "HTTP/1.1 404 Not Found\r\n"
                + "Gatehouse-Error: unknown-resource\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "content-length: "
                + body.length()
                + "\r\n\r\n"
                + body);

    TunnelRefusedException refused =
        catchThrowableOfType(
            TunnelRefusedException.class,
            () -> TunnelClient.open(address(), client, ResourceKind.DB, "nope", null, TIMEOUT));

    assertThat(refused.status()).isEqualTo(404);
    assertThat(refused.code()).isEqualTo("unknown-resource");
    assertThat(refused.errorCode()).contains(ErrorCode.UNKNOWN_RESOURCE);
    assertThat(refused.getMessage())
        .contains("refused the tunnel to db/nope")
        .contains("HTTP/1.1 404 Not Found")
        .contains("unknown resource db/nope");
    assertThat(request.get(5, TimeUnit.SECONDS))
        .startsWith("GET /v1/tunnel/db/nope HTTP/1.1\r\n")
        .contains("Connection: Upgrade\r\n")
        .contains("Upgrade: gatehouse-tunnel/1\r\n");
  }

  @Test
  void bytesRightAfterTheSwitchBelongToTheStream() throws Exception {
    answerOnce(
        "HTTP/1.1 101 Switching Protocols\r\n"
            + "Connection: Upgrade\r\n"
            + "Upgrade: gatehouse-tunnel/1\r\n\r\n"
            + "hello");

    try (Socket tunnel =
        TunnelClient.open(address(), client, ResourceKind.DB, "pg", null, TIMEOUT)) {
      tunnel.setSoTimeout((int) TIMEOUT.toMillis());
      assertThat(new String(tunnel.getInputStream().readNBytes(5), StandardCharsets.US_ASCII))
          .isEqualTo("hello");
    }
  }

  private HostPort address() {
    return new HostPort(proxy.getInetAddress().getHostAddress(), proxy.getLocalPort());
  }

  /** Accepts one connection, reads its request head, writes {@code answer}; yields the head. */
  private CompletableFuture<String> answerOnce(String answer) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Socket s = proxy.accept()) {
            s.setSoTimeout((int) TIMEOUT.toMillis());
            String head = readHead(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write(answer.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Half-close so the client reads to the end of what was sent, then wait for its close.
            s.shutdownOutput();
            s.getInputStream().readAllBytes();
            return head;
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
