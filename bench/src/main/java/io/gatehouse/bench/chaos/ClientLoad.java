package io.gatehouse.bench.chaos;

import io.gatehouse.bench.suite.RawHttp;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.relay.client.TunnelClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Steady load from real clients through the balancer, on threads, until {@link #stop()}: users on
 * HTTP sessions (each keeps its session cookie), users starting a new HTTP session per request, TCP
 * tunnels to the echo app (each opened, used for ten round trips, closed), and an operator creating
 * a resource every second. Every attempt is recorded with its start and end; so are the session ids
 * the clients were given and the resources the API acknowledged, for {@link TopicCheck} to find on
 * the topics.
 */
final class ClientLoad {
  static final String APP_HOST = "demo.gatehouse.localhost";
  private static final int PINNED_USERS = 4;
  private static final int NEW_SESSION_USERS = 2;
  private static final int TCP_USERS = 2;

  enum Kind {
    PINNED,
    NEW,
    TCP,
    WRITE
  }

  /**
   * One request, tunnel or write. {@code established}: a tunnel that opened (its failure is a
   * broken tunnel, not a refused new one).
   */
  record Attempt(Kind kind, long start, long end, boolean ok, boolean established, String error) {}

  private final LocalCluster cluster;
  private final String label;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  final Queue<Attempt> attempts = new ConcurrentLinkedQueue<>();
  final Queue<String> sessionIds = new ConcurrentLinkedQueue<>();
  final Queue<String> resources = new ConcurrentLinkedQueue<>();

  private ClientLoad(LocalCluster cluster, String label) {
    this.cluster = cluster;
    this.label = label;
  }

  /** Starts every client; {@code label} names the resources this load creates. */
  static ClientLoad start(LocalCluster cluster, String label) {
    ClientLoad load = new ClientLoad(cluster, label);
    for (int i = 0; i < PINNED_USERS; i++) {
      load.thread("pinned-" + i, load::pinnedUser);
    }
    for (int i = 0; i < NEW_SESSION_USERS; i++) {
      load.thread("new-" + i, load::newSessionUser);
    }
    for (int i = 0; i < TCP_USERS; i++) {
      load.thread("tcp-" + i, load::tcpUser);
    }
    load.thread("writer", load::writer);
    return load;
  }

  /** Stops the clients and waits for their last attempts to end. */
  void stop() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  private void thread(String name, Runnable body) {
    Thread t = new Thread(body, "chaos-" + label + "-" + name);
    t.setDaemon(true);
    t.start();
    threads.add(t);
  }

  private void pinnedUser() {
    String cookie = null;
    while (running.get()) {
      long start = System.nanoTime();
      try {
        RawHttp.Response r = get(cookie);
        if (cookie == null && r.status() == 200) {
          cookie = r.cookie().orElse(null);
          record(cookie);
        }
        attempts.add(done(cookie == null ? Kind.NEW : Kind.PINNED, start, r.status() == 200, r));
      } catch (IOException e) {
        attempts.add(failed(cookie == null ? Kind.NEW : Kind.PINNED, start, false, e));
      }
      pause(50);
    }
  }

  private void newSessionUser() {
    while (running.get()) {
      long start = System.nanoTime();
      try {
        RawHttp.Response r = get(null);
        if (r.status() == 200) {
          record(r.cookie().orElse(null));
        }
        attempts.add(done(Kind.NEW, start, r.status() == 200, r));
      } catch (IOException e) {
        attempts.add(failed(Kind.NEW, start, false, e));
      }
      pause(200);
    }
  }

  private void tcpUser() {
    HostPort balancer = HostPort.parse("127.0.0.1:" + cluster.balancerPort());
    byte[] message = new byte[64];
    byte[] back = new byte[64];
    while (running.get()) {
      long start = System.nanoTime();
      boolean established = false;
      try (Socket s =
          TunnelClient.open(
              balancer,
              cluster.tls(),
              ResourceKind.APP,
              "echo",
              cluster.token(),
              Duration.ofSeconds(10))) {
        established = true;
        s.setSoTimeout(10_000);
        for (int i = 0; i < 10; i++) {
          ThreadLocalRandom.current().nextBytes(message);
          echo(s.getOutputStream(), s.getInputStream(), message, back);
          if (!Arrays.equals(message, back)) {
            throw new IOException("the echo sent back other bytes");
          }
          pause(100);
        }
        attempts.add(new Attempt(Kind.TCP, start, System.nanoTime(), true, true, null));
      } catch (IOException | RuntimeException e) {
        attempts.add(failed(Kind.TCP, start, established, e));
      }
      pause(100);
    }
  }

  private void writer() {
    int n = 0;
    while (running.get()) {
      String name = "chaos-" + label + "-" + n++;
      long start = System.nanoTime();
      try {
        int status =
            cluster.createResource(
                "kind: app\nversion: v1\nmetadata: { name: "
                    + name
                    + ", labels: { chaos: \""
                    + label
                    + "\" } }\nspec: { uri: \"http://127.0.0.1:9\" }\n");
        if (status == 201 || status == 200) {
          resources.add("app/" + name);
        }
        attempts.add(
            new Attempt(
                Kind.WRITE,
                start,
                System.nanoTime(),
                status / 100 == 2,
                false,
                "status " + status));
      } catch (IOException e) {
        attempts.add(failed(Kind.WRITE, start, false, e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      pause(1000);
    }
  }

  private RawHttp.Response get(String cookie) throws IOException {
    return cluster.app(cluster.balancerPort(), cookie);
  }

  /** The session id of a {@code gatehouse_session=ID} cookie. */
  private void record(String cookie) {
    if (cookie != null && cookie.startsWith("gatehouse_session=")) {
      sessionIds.add(cookie.substring("gatehouse_session=".length()));
    }
  }

  private static Attempt done(Kind kind, long start, boolean ok, RawHttp.Response r) {
    return new Attempt(
        kind, start, System.nanoTime(), ok, false, ok ? null : "status " + r.status());
  }

  private static Attempt failed(Kind kind, long start, boolean established, Exception e) {
    return new Attempt(
        kind,
        start,
        System.nanoTime(),
        false,
        established,
        e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  private static void echo(OutputStream out, InputStream in, byte[] message, byte[] back)
      throws IOException {
    out.write(message);
    out.flush();
    for (int read = 0; read < back.length; ) {
      int n = in.read(back, read, back.length - read);
      if (n < 0) {
        throw new IOException("the tunnel closed after " + read + " bytes");
      }
      read += n;
    }
  }

  private void pause(long millis) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (running.get() && System.nanoTime() < end) {
      LockSupport.parkNanos(end - System.nanoTime());
    }
  }
}
