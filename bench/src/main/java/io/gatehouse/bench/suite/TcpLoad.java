package io.gatehouse.bench.suite;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * The TCP scenario's client: one bulk upload to the sink, and small-message round trips to the
 * echo.
 */
final class TcpLoad {
  /** Opens a byte stream to the sink or the echo by one of the compared paths. */
  interface Connector {
    Socket open(String resource) throws IOException;
  }

  private TcpLoad() {}

  /**
   * Writes the length, then {@code bytes} to the sink in 64 KiB writes; returns MB/s (10^6 bytes)
   * until the sink's count arrives.
   */
  static double bulkMegabytesPerSec(Connector connector, long bytes) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    try (Socket s = connector.open("sink")) {
      long started = System.nanoTime();
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeLong(bytes);
      for (long sent = 0; sent < bytes; sent += chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, bytes - sent));
      }
      out.flush();
      long counted = new DataInputStream(s.getInputStream()).readLong();
      long nanos = System.nanoTime() - started;
      if (counted != bytes) {
        throw new IOException("the sink counted " + counted + " bytes of " + bytes);
      }
      return bytes / (nanos / 1e3);
    }
  }

  /**
   * {@code count} round trips of a {@code size}-byte message after {@code warmup} unmeasured ones;
   * nanoseconds each.
   */
  static long[] roundTrips(Connector connector, int warmup, int count, int size)
      throws IOException {
    byte[] message = new byte[size];
    byte[] back = new byte[size];
    long[] nanos = new long[count];
    try (Socket s = connector.open("echo")) {
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      for (int i = -warmup; i < count; i++) {
        long started = System.nanoTime();
        echo(out, in, message, back);
        if (i >= 0) {
          nanos[i] = System.nanoTime() - started;
        }
      }
    }
    return nanos;
  }

  /**
   * {@code count} session setups after {@code warmup} unmeasured ones, nanoseconds each: open a
   * connection by the path (for Gatehouse: TLS to the proxy, the tunnel upgrade, the agent's stream
   * to the upstream), send {@code size} bytes and read their echo, close. What an application that
   * opens a database connection per request pays each time.
   */
  static long[] setups(Connector connector, int warmup, int count, int size) throws IOException {
    byte[] message = new byte[size];
    byte[] back = new byte[size];
    long[] nanos = new long[count];
    for (int i = -warmup; i < count; i++) {
      long started = System.nanoTime();
      try (Socket s = connector.open("echo")) {
        s.setTcpNoDelay(true);
        echo(s.getOutputStream(), s.getInputStream(), message, back);
      }
      if (i >= 0) {
        nanos[i] = System.nanoTime() - started;
      }
    }
    return nanos;
  }

  /** Sends {@code message} and reads its echo into {@code back}, whole. */
  private static void echo(OutputStream out, InputStream in, byte[] message, byte[] back)
      throws IOException {
    out.write(message);
    out.flush();
    for (int read = 0; read < back.length; ) {
      int n = in.read(back, read, back.length - read);
      if (n < 0) {
        throw new IOException("the echo closed after " + read + " bytes");
      }
      read += n;
    }
  }
}
