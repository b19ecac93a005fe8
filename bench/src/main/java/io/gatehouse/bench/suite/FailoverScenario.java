package io.gatehouse.bench.suite;

import io.gatehouse.bench.Stats;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 5: steady load through Gatehouse's two agents, then one agent is killed with SIGKILL (a
 * crash) or stopped with SIGTERM (a graceful stop). Half the clients keep one session each (pinned;
 * a quarter of them land on the victim), half start a new session per request. Counts the requests
 * that failed after the stop, when the victim served its last response, and when the proxy took it
 * out of rotation: ejected after a failed dial, or no longer healthy in {@code GET /v1/agents} (its
 * beat expired or was withdrawn) — after that no new session goes to it.
 */
record FailoverScenario(GatehouseChain gatehouse, Settings settings) {
  private static final int CLIENTS = 8;
  private static final Duration BEFORE = Duration.ofSeconds(3);
  private static final Duration AFTER = Duration.ofSeconds(6);

  private record Sample(long at, boolean ok, boolean pinned, String agent) {}

  private record Outcome(
      long requestsAfter,
      long failedPinned,
      long failedNew,
      double lastServedMillis,
      double outOfRotationMillis,
      double rate) {}

  Table run() throws Exception {
    Table t =
        new Table(
            "failover",
            "Failover: one of two agents stopped under load",
            "stop",
            "requests after stop",
            "failed (pinned)",
            "failed (new)",
            "failed %",
            "victim's last response ms",
            "out of rotation ms",
            "requests/s");
    for (boolean crash : List.of(true, false)) {
      List<Outcome> outcomes = new ArrayList<>();
      for (int r = 0; r < settings.failoverRounds(); r++) {
        outcomes.add(once(crash));
        gatehouse.startAgent(1);
      }
      double requests =
          Stats.median(outcomes.stream().map(o -> (double) o.requestsAfter()).toList());
      double pinned = Stats.median(outcomes.stream().map(o -> (double) o.failedPinned()).toList());
      double fresh = Stats.median(outcomes.stream().map(o -> (double) o.failedNew()).toList());
      t.row(
          crash ? "kill -9" : "SIGTERM",
          requests,
          pinned,
          fresh,
          100 * (pinned + fresh) / requests,
          Stats.median(outcomes.stream().map(Outcome::lastServedMillis).toList()),
          Stats.median(outcomes.stream().map(Outcome::outOfRotationMillis).toList()),
          Stats.median(outcomes.stream().map(Outcome::rate).toList()));
    }
    return t.note(
        CLIENTS
            + " clients on new connections (4 keep one session each, 4 start a session per request), "
            + BEFORE.toSeconds()
            + " s of load, stop, "
            + AFTER.toSeconds()
            + " s more; median of "
            + settings.failoverRounds()
            + " rounds; beat TTL 3 s, eject back-off 10 s (defaults)");
  }

  private Outcome once(boolean crash) throws Exception {
    String victim = "bench-agent-2";
    ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      boolean pinned = i % 2 == 0;
      Thread c = new Thread(() -> load(pinned, samples, running), "failover-client-" + i);
      c.start();
      clients.add(c);
    }
    park(BEFORE);
    long stoppedAt = System.nanoTime();
    if (crash) {
      gatehouse.agents.get(1).kill9();
    } else {
      gatehouse.agents.get(1).close();
    }
    long outOfRotation = -1;
    long end = stoppedAt + AFTER.toNanos();
    while (System.nanoTime() < end) {
      if (outOfRotation < 0 && outOfRotation(victim)) {
        outOfRotation = System.nanoTime();
      }
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
    running.set(false);
    for (Thread c : clients) {
      c.join();
    }
    long after = 0;
    long failedPinned = 0;
    long failedNew = 0;
    long lastServed = stoppedAt;
    long first = Long.MAX_VALUE;
    long last = 0;
    for (Sample s : samples) {
      first = Math.min(first, s.at());
      last = Math.max(last, s.at());
      if (s.at() < stoppedAt) {
        continue;
      }
      after++;
      if (!s.ok() && s.pinned()) {
        failedPinned++;
      } else if (!s.ok()) {
        failedNew++;
      } else if (victim.equals(s.agent())) {
        lastServed = Math.max(lastServed, s.at());
      }
    }
    double rate = samples.size() / ((last - first) / 1e9);
    return new Outcome(
        after,
        failedPinned,
        failedNew,
        (lastServed - stoppedAt) / 1e6,
        outOfRotation < 0 ? Double.NaN : (outOfRotation - stoppedAt) / 1e6,
        rate);
  }

  private boolean outOfRotation(String victim) throws IOException, InterruptedException {
    Optional<JsonObject> view =
        gatehouse.agentsView().stream()
            .map(JsonObject.class::cast)
            .filter(a -> victim.equals(a.getString("agent")))
            .findFirst();
    return view.isEmpty()
        || !view.get().getBoolean("healthy", false)
        || view.get().containsKey("ejectedUntil");
  }

  private void load(boolean pinned, ConcurrentLinkedQueue<Sample> samples, AtomicBoolean running) {
    String cookie = null;
    while (running.get()) {
      long at = System.nanoTime();
      try {
        RawHttp.Response r =
            RawHttp.get(
                gatehouse.proxyPort,
                gatehouse.tls(),
                GatehouseChain.APP_HOST,
                "/small",
                pinned ? cookie : null,
                List.of("Gatehouse-Authorization: Bearer " + gatehouse.credential()));
        if (pinned && cookie == null) {
          cookie = r.cookie().orElse(null);
        }
        String agent = r.header("Via").map(v -> v.substring(v.lastIndexOf(' ') + 1)).orElse(null);
        samples.add(new Sample(at, r.status() == 200, pinned, agent));
      } catch (IOException e) {
        samples.add(new Sample(at, false, pinned, null));
      }
    }
  }

  private static void park(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      LockSupport.parkNanos(end - System.nanoTime());
    }
  }
}
