package io.gatehouse.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Asks the operating system for ports that are free right now on one address. */
final class FreePorts {

  private FreePorts() {}

  /**
   * Returns {@code count} distinct ports that were free on {@code host} a moment ago. The sockets
   * are held open together, so the ports differ, and closed before returning: another process may
   * still take one before the broker binds it, which is why the caller retries a failed bind.
   */
  static int[] pick(InetAddress host, int count) {
    ServerSocket[] sockets = new ServerSocket[count];
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        sockets[i] = new ServerSocket(0, 1, host);
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + host.getHostAddress(), e);
    } finally {
      for (ServerSocket socket : sockets) {
        closeQuietly(socket);
      }
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    if (socket == null) {
      return;
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // The port was only probed; a failed close does not matter to the caller.
    }
  }
}
