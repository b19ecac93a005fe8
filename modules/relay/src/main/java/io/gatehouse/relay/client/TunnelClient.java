package io.gatehouse.relay.client;

import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.relay.Wire;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The user's end of a TCP tunnel through a proxy ({@code docs/proxy.md}, "Tunnels"): what the CLI's
 * {@code tunnel} command builds on. {@link #open} returns one connected socket; {@link #listen}
 * serves a local port, opening one tunnel per accepted connection, so that {@code psql -h 127.0.0.1
 * -p <port>} reaches the database behind the proxy.
 *
 * <p>Plain blocking sockets and two daemon threads per connection: a tunnel serves one user.
 */
public final class TunnelClient {
  public static final String PROTOCOL = Wire.TUNNEL_PROTOCOL;
  private static final int MAX_HEAD = 16 * 1024;
  private static final int MAX_ERROR_BODY = 4 * 1024;

  private TunnelClient() {}

  /**
   * Opens a tunnel to {@code kind/name}: the returned socket is a raw byte stream to the resource.
   *
   * @param tls TLS to the proxy's port, trusting the cluster CA (the CLI's profile's CA file)
   * @param credential the user's bearer credential (the CLI profile's token), sent as {@code
   *     Authorization: Bearer}; null sends none (the proxy then refuses with 401)
   * @param timeout for connecting and for the proxy's answer
   * @throws TunnelRefusedException when the proxy answers with an error (unknown resource, no
   *     healthy agent, every agent failed)
   * @throws IOException when the proxy cannot be reached
   */
  public static Socket open(
      HostPort proxy,
      SSLContext tls,
      ResourceKind kind,
      String name,
      String credential,
      Duration timeout)
      throws IOException {
    SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket();
    try {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(proxy.host(), proxy.port()), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      socket.startHandshake();
      String request =
          "GET "
              + Wire.USER_TUNNEL_PATH
              + kind.word()
              + "/"
              + name
              + " HTTP/1.1\r\n"
              + "Host: "
              + proxy
              + "\r\n"
              + "Connection: Upgrade\r\n"
              + "Upgrade: "
              + PROTOCOL
              + "\r\n"
              + (credential == null ? "" : "Authorization: Bearer " + credential + "\r\n")
              + "\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      String[] lines = head.split("\r\n");
      String[] status = lines[0].split(" ", 3);
      int code = status.length >= 2 ? parseStatus(status[1]) : -1;
      if (code != 101) {
        String error = header(lines, Wire.ERROR.toLowerCase(Locale.ROOT));
        String body = readSome(in, header(lines, "content-length"));
        throw new TunnelRefusedException(
            code,
            error,
            "proxy "
                + proxy
                + " refused the tunnel to "
                + kind.word()
                + "/"
                + name
                + ": "
                + lines[0]
                + (body.isBlank() ? "" : ": " + body.strip()));
      }
      socket.setSoTimeout(0);
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * Listens on {@code local} (port 0 picks one) and tunnels every accepted connection to {@code
   * kind/name}. A connection whose tunnel cannot be opened is closed at once.
   */
  public static LocalTunnel listen(
      HostPort local,
      HostPort proxy,
      SSLContext tls,
      ResourceKind kind,
      String name,
      String credential,
      Duration timeout)
      throws IOException {
    return listen(local, proxy, tls, kind, name, credential, timeout, reason -> {});
  }

  /**
   * Like {@link #listen(HostPort, HostPort, SSLContext, ResourceKind, String, String, Duration)},
   * and tells {@code onFailure} why a connection's tunnel could not be opened (the proxy's reason,
   * or why the proxy could not be reached).
   */
  public static LocalTunnel listen(
      HostPort local,
      HostPort proxy,
      SSLContext tls,
      ResourceKind kind,
      String name,
      String credential,
      Duration timeout,
      Consumer<String> onFailure)
      throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(local.host(), local.port()));
    LocalTunnel tunnel =
        new LocalTunnel(server, proxy, tls, kind, name, credential, timeout, onFailure);
    tunnel.start();
    return tunnel;
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    // Byte by byte, so that not one byte after the head is consumed: it belongs to the stream.
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("proxy closed the connection before answering the tunnel request");
      }
      head.write(b);
      if (head.size() > MAX_HEAD) {
        throw new IOException("proxy's answer has a head longer than " + MAX_HEAD + " bytes");
      }
      matched =
          (b == '\r' && (matched == 0 || matched == 2))
                  || (b == '\n' && (matched == 1 || matched == 3))
              ? matched + 1
              : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static String header(String[] lines, String name) {
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0 && lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(name)) {
        return lines[i].substring(colon + 1).strip();
      }
    }
    return null;
  }

  private static String readSome(InputStream in, String contentLength) {
    int limit = MAX_ERROR_BODY;
    if (contentLength != null) {
      try {
        limit = Math.min(limit, Integer.parseInt(contentLength));
      } catch (NumberFormatException e) {
        // read up to the limit
      }
    }
    byte[] body = new byte[limit];
    int n = 0;
    try {
      while (n < limit) {
        int r = in.read(body, n, limit - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
    } catch (IOException e) {
      // what arrived is enough for a message
    }
    return new String(body, 0, n, StandardCharsets.UTF_8);
  }

  private static int parseStatus(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A local port whose connections are tunneled to one resource. Close it to stop. */
  public static final class LocalTunnel implements Closeable {
    private final ServerSocket server;
    private final HostPort proxy;
    private final SSLContext tls;
    private final ResourceKind kind;
    private final String name;
    private final String credential;
    private final Duration timeout;
    private final Consumer<String> onFailure;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalTunnel(
        ServerSocket server,
        HostPort proxy,
        SSLContext tls,
        ResourceKind kind,
        String name,
        String credential,
        Duration timeout,
        Consumer<String> onFailure) {
      this.server = server;
      this.proxy = proxy;
      this.tls = tls;
      this.kind = kind;
      this.name = name;
      this.credential = credential;
      this.timeout = timeout;
      this.onFailure = onFailure;
    }

    /** The local port connections are accepted on. */
    public int localPort() {
      return server.getLocalPort();
    }

    private void start() {
      daemon("gatehouse-tunnel-accept-" + localPort(), this::accept).start();
    }

    private void accept() {
      while (!closed.get()) {
        Socket user;
        try {
          user = server.accept();
        } catch (IOException e) {
          return; // closed
        }
        daemon("gatehouse-tunnel-" + user.getPort(), () -> serve(user)).start();
      }
    }

    private void serve(Socket user) {
      sockets.add(user);
      Socket remote;
      try {
        user.setTcpNoDelay(true);
        remote = open(proxy, tls, kind, name, credential, timeout);
      } catch (IOException e) {
        onFailure.accept(
            e instanceof TunnelRefusedException
                ? e.getMessage()
                : "cannot reach proxy "
                    + proxy
                    + " for a tunnel to "
                    + kind.word()
                    + "/"
                    + name
                    + ": "
                    + e.getMessage());
        closeQuietly(user);
        sockets.remove(user);
        return;
      }
      sockets.add(remote);
      Thread up = daemon("gatehouse-tunnel-up-" + user.getPort(), () -> copy(user, remote));
      up.start();
      copy(remote, user);
    }

    private void copy(Socket from, Socket to) {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream()) {
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (SocketException e) {
        // the other side closed
      } catch (IOException e) {
        // connection broken: close both below
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        sockets.remove(from);
        sockets.remove(to);
      }
    }

    /** Stops accepting and closes every tunneled connection. Idempotent. */
    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      closeQuietly(server);
      sockets.forEach(TunnelClient::closeQuietly);
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
