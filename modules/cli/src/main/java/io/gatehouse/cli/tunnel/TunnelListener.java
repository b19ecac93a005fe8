package io.gatehouse.cli.tunnel;

import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.proxy.client.TunnelClient;
import io.gatehouse.proxy.client.TunnelRefusedException;
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
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A local TCP listener for one resource: each accepted connection opens its own tunnel through the
 * proxy ({@link TunnelClient#open}, the {@code /v1/tunnel/{kind}/{name}} upgrade) and then copies
 * bytes both ways until either side closes; a refused tunnel is reported with the proxy's reason. Each local
 * connection is therefore one session, pinned by the proxy to one agent. Copies block on
 * platform threads, two per connection: a tunnel carries few connections, and blocking streams
 * give back-pressure for free.
 */
public final class TunnelListener implements Closeable {
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
    Socket remote = null;
    try {
      int proxyPort = proxy.getPort() > 0 ? proxy.getPort() : ("https".equals(proxy.getScheme()) ? 443 : 80);
      remote = TunnelClient.open(new HostPort(proxy.getHost(), proxyPort), ResourceKind.of(kind), name, Duration.ofSeconds(5));
      open.add(remote);
      local.setTcpNoDelay(true);
      Socket upstream = remote;
      threads.execute(() -> copy(local, upstream));
      copy(remote, local);
    } catch (TunnelRefusedException e) {
      log.accept(e.getMessage());
    } catch (IOException e) {
      log.accept("tunnel to " + kind + "/" + name + " via " + proxy + " failed: " + e.getMessage());
    } finally {
      closeQuietly(local);
      open.remove(local);
      if (remote != null) {
        closeQuietly(remote);
        open.remove(remote);
      }
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
