package io.gatehouse.cli.tunnel;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A local TCP listener for one resource: each accepted connection opens its own connection to the
 * proxy, upgrades it with {@code GET /v1/tunnel/{kind}/{name}} and {@code Upgrade:
 * gatehouse-tunnel/1}, and then copies bytes both ways until either side closes. Each local
 * connection is therefore one session, pinned by the proxy to one agent. Copies block on
 * platform threads, two per connection: a tunnel carries few connections, and blocking streams
 * give back-pressure for free.
 */
public final class TunnelListener implements Closeable {
  public static final String UPGRADE = "gatehouse-tunnel/1";

  private final URI proxy;
  private final String kind;
  private final String name;
  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "gatehouse-tunnel");
    t.setDaemon(true);
    return t;
  });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong connections = new AtomicLong();
  private final Consumer<String> log;

  private TunnelListener(URI proxy, String kind, String name, ServerSocket server, Consumer<String> log) {
    this.proxy = proxy;
    this.kind = kind;
    this.name = name;
    this.server = server;
    this.log = log;
  }

  /** Binds {@code bindHost:port} (port 0 picks one) and starts accepting. */
  public static TunnelListener open(URI proxy, String kind, String name, String bindHost, int port, Consumer<String> log)
      throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getByName(bindHost), port));
    TunnelListener listener = new TunnelListener(proxy, kind, name, server, log);
    listener.threads.execute(listener::accept);
    return listener;
  }

  public int port() {
    return server.getLocalPort();
  }

  public long connections() {
    return connections.get();
  }

  private void accept() {
    while (!closed.get()) {
      Socket local;
      try {
        local = server.accept();
      } catch (IOException e) {
        return;
      }
      connections.incrementAndGet();
      threads.execute(() -> serve(local));
    }
  }

  private void serve(Socket local) {
    open.add(local);
    Socket remote = new Socket();
    open.add(remote);
    try {
      int proxyPort = proxy.getPort() > 0 ? proxy.getPort() : ("https".equals(proxy.getScheme()) ? 443 : 80);
      remote.connect(new InetSocketAddress(proxy.getHost(), proxyPort), 5000);
      remote.setTcpNoDelay(true);
      local.setTcpNoDelay(true);
      OutputStream toProxy = remote.getOutputStream();
      InputStream fromProxy = remote.getInputStream();
      String request =
          "GET /v1/tunnel/" + kind + "/" + name + " HTTP/1.1\r\n"
              + "Host: " + proxy.getHost() + ":" + proxyPort + "\r\n"
              + "Connection: Upgrade\r\n"
              + "Upgrade: " + UPGRADE + "\r\n"
              + "User-Agent: gatehouse-cli\r\n\r\n";
      toProxy.write(request.getBytes(StandardCharsets.US_ASCII));
      toProxy.flush();
      String head = readHead(fromProxy);
      String status = head.lines().findFirst().orElse("");
      if (!status.matches("HTTP/1\\.[01] 101.*")) {
        log.accept("tunnel to " + kind + "/" + name + " refused by proxy: " + status + " " + body(head, fromProxy));
        return;
      }
      threads.execute(() -> copy(local, remote));
      copy(remote, local);
    } catch (IOException e) {
      log.accept("tunnel to " + kind + "/" + name + " via " + proxy + " failed: " + e.getMessage());
    } finally {
      closeQuietly(local);
      closeQuietly(remote);
      open.remove(local);
      open.remove(remote);
    }
  }

  /** Reads the response head up to the blank line, byte by byte so no tunnel byte is consumed. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("proxy closed the connection before answering the upgrade");
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > 64 * 1024) {
        throw new IOException("upgrade response head too large");
      }
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static String body(String head, InputStream in) {
    try {
      byte[] buf = new byte[512];
      int n = in.read(buf);
      return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
    } catch (IOException e) {
      return "";
    }
  }

  private static void copy(Socket from, Socket to) {
    byte[] buf = new byte[32 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
      }
      to.shutdownOutput();
    } catch (SocketException e) {
      closeQuietly(to);
    } catch (IOException e) {
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  /** Stops accepting and closes every open connection; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    open.forEach(TunnelListener::closeQuietly);
    threads.shutdownNow();
  }
}
