package io.gatehouse.bench.suite;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The TCP scenario's upstreams, in the suite's JVM: a sink that reads an 8-byte big-endian length,
 * then that many bytes, and answers the count (8 bytes), and an echo that writes back what it
 * reads. The sink does not rely on a half-close: Gatehouse's tunnels close both ways when either
 * side ends. Both on loopback; a thread per connection (the scenario uses one connection at a
 * time).
 */
final class TcpUpstream implements AutoCloseable {
  private final ServerSocket sink;
  private final ServerSocket echo;

  TcpUpstream() throws IOException {
    sink = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    accept(sink, TcpUpstream::drain, "sink");
    accept(echo, TcpUpstream::echo, "echo");
  }

  int sinkPort() {
    return sink.getLocalPort();
  }

  int echoPort() {
    return echo.getLocalPort();
  }

  private interface Handler {
    void handle(Socket s) throws IOException;
  }

  private static void accept(ServerSocket server, Handler handler, String name) {
    Thread t =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  s.setTcpNoDelay(true);
                  Thread worker =
                      new Thread(
                          () -> {
                            try (s) {
                              handler.handle(s);
                            } catch (IOException ignored) {
                              // the client went away; nothing to keep
                            }
                          },
                          "upstream-" + name);
                  worker.setDaemon(true);
                  worker.start();
                } catch (IOException e) {
                  return;
                }
              }
            },
            "upstream-" + name + "-accept");
    t.setDaemon(true);
    t.start();
  }

  private static void drain(Socket s) throws IOException {
    byte[] buf = new byte[256 * 1024];
    DataInputStream in = new DataInputStream(s.getInputStream());
    long expected = in.readLong();
    long total = 0;
    while (total < expected) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, expected - total));
      if (n < 0) {
        break;
      }
      total += n;
    }
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    out.writeLong(total);
    out.flush();
  }

  private static void echo(Socket s) throws IOException {
    byte[] buf = new byte[64 * 1024];
    InputStream in = s.getInputStream();
    OutputStream out = s.getOutputStream();
    for (int n; (n = in.read(buf)) >= 0; ) {
      out.write(buf, 0, n);
      out.flush();
    }
  }

  @Override
  public void close() throws IOException {
    sink.close();
    echo.close();
  }
}
