package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.Agent;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.relay.client.TunnelClient;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Draining, through two proxies and real agents: {@code POST /v1/agents/{id}/drain} (what {@code
 * gatehouse agents drain} calls) and a graceful stop (what SIGTERM runs) take the agent out of
 * rotation on every proxy within a second, let its TCP sessions run until their client closes or
 * {@code drain_timeout} passes, re-pin its HTTP sessions on their next request, list it as draining
 * with the sessions it has left, and end with the agent stopped.
 */
class DrainIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();
  private static final Duration WAIT = Cluster.WAIT;

  /** "Every proxy sees it within a second." */
  private static final Duration SEEN = Duration.ofSeconds(1);

  private static Proxy proxyA;
  private static HostPort a;
  private static HostPort b;
  private static int httpPort;
  private static int echoPort;

  @BeforeAll
  static void start() {
    proxyA = cluster.proxy("proxy-drain-a");
    a = proxyA.webAddress();
    b = cluster.proxy("proxy-drain-b").webAddress();
    httpPort = web.upstream(req -> req.response().end("hello " + req.path())).actualPort();
    echoPort =
        Web.await(
                web.vertx()
                    .createNetServer()
                    .connectHandler(socket -> socket.pipeTo(socket))
                    .listen(0, "127.0.0.1"))
            .actualPort();
    cluster.awaitReady(a);
    cluster.awaitReady(b);
  }

  /**
   * Agent {@code id} serving HTTP app {@code web-<group>} and TCP app {@code echo-<group>}, with
   * {@code drainTimeout}, connected to both proxies.
   */
  private static Agent agent(String id, String group, String drainTimeout) {
    Agent agent =
        cluster.agent(
            id,
            "drain_timeout: " + drainTimeout,
            """
            app_service:
              apps:
                - { name: web-%s, uri: "http://127.0.0.1:%d" }
                - { name: echo-%s, uri: "tcp://127.0.0.1:%d" }
            """
                .formatted(group, httpPort, group, echoPort));
    Eventually.within(WAIT).until(() -> agent.connectedProxies().size() == 2);
    return agent;
  }

  private static void awaitHealthy(String group, int agents) {
    for (HostPort proxy : List.of(a, b)) {
      cluster.awaitHealthy(proxy, "app", "web-" + group, agents);
      cluster.awaitHealthy(proxy, "app", "echo-" + group, agents);
    }
  }

  private static Web.Response drain(HostPort via, String agentId) {
    return web.api(HttpMethod.POST, via, "/v1/agents/" + agentId + "/drain");
  }

  /** How {@code via} lists {@code agentId} in {@code GET /v1/agents}, if it does. */
  private static Optional<JsonObject> listed(HostPort via, String agentId) {
    Web.Response r = web.get(via, "/v1/agents");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.array().stream()
        .map(JsonObject.class::cast)
        .filter(o -> agentId.equals(o.getString("agent")))
        .findFirst();
  }

  /** A TCP session to {@code echo-<group>} through {@code via}, checked to echo once. */
  private static Socket tcp(HostPort via, String group) throws IOException {
    Socket socket =
        TunnelClient.open(
            via, web.tls(), ResourceKind.APP, "echo-" + group, web.bearer(), Duration.ofSeconds(5));
    socket.setSoTimeout((int) WAIT.toMillis());
    assertEchoes(socket, "hello");
    return socket;
  }

  private static void assertEchoes(Socket socket, String text) throws IOException {
    byte[] line = (text + "\n").getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(line);
    out.flush();
    assertThat(socket.getInputStream().readNBytes(line.length)).isEqualTo(line);
  }

  /** Every proxy has {@code agentId} as draining, out of rotation for {@code group}'s apps. */
  private static void assertDrainingEverywhere(String agentId, String group) {
    for (HostPort proxy : List.of(a, b)) {
      assertThat(listed(proxy, agentId).orElseThrow().getString("state"))
          .as("on " + proxy)
          .isEqualTo("draining");
      JsonObject echo = web.get(proxy, "/v1/resources/app/echo-" + group).json();
      assertThat(echo.getInteger("healthyAgents")).as("on " + proxy).isZero();
    }
  }

  private static void awaitStopped(Agent agent) throws Exception {
    agent.stopped().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void drainThroughTheApiReachesEveryProxyWithinASecondAndWaitsForTheLastTcpSession()
      throws Exception {
    Agent agent = agent("agent-drain-api", "api", "1m");
    awaitHealthy("api", 1);
    try (Socket session = tcp(b, "api")) {
      Web.Response asked = drain(a, "agent-drain-api");
      long answered = System.nanoTime();
      assertThat(asked.status()).as(asked.body()).isEqualTo(202);
      assertThat(asked.json().getString("state")).isEqualTo("draining");
      assertThat(asked.json().getInteger("sessions")).isEqualTo(1);
      Eventually.within(SEEN)
          .untilAsserted(() -> assertDrainingEverywhere("agent-drain-api", "api"));
      assertThat(Duration.ofNanos(System.nanoTime() - answered)).isLessThan(SEEN);

      // The session it already had goes on; `agents ls` says one is left, on both proxies.
      assertEchoes(session, "still there");
      for (HostPort proxy : List.of(a, b)) {
        Eventually.within(WAIT)
            .untilAsserted(
                () ->
                    assertThat(
                            listed(proxy, "agent-drain-api").orElseThrow().getInteger("sessions"))
                        .isEqualTo(1));
      }
      assertThat(agent.stopped().toCompletableFuture().isDone()).isFalse();
      // A new session goes nowhere: no other agent serves it.
      Web.Response none = web.app(a, "web-api", "/", null);
      assertThat(none.status()).as(none.body()).isEqualTo(503);
    }
    // The client closed its last session: the agent says goodbye and stops, long before 1m.
    awaitStopped(agent);
    for (HostPort proxy : List.of(a, b)) {
      Eventually.within(WAIT)
          .untilAsserted(() -> assertThat(listed(proxy, "agent-drain-api")).isEmpty());
    }
    assertThat(cluster.audit())
        .filteredOn(e -> e.getType().equals(AuditLog.AGENT_DRAIN))
        .filteredOn(e -> "agent-drain-api".equals(e.getAgentId()))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getUser()).isEqualTo(Cluster.ADMIN);
              assertThat(e.getOutcome()).isEqualTo("ok");
              assertThat(e.getProxyId()).isEqualTo("proxy-drain-a");
            });
  }

  @Test
  void drainNeedsUpdateOnAgentsAndIsRefusedOtherwise() throws Exception {
    Agent agent = agent("agent-drain-refused", "refused", "1m");
    awaitHealthy("refused", 1);
    Web.Response role =
        web.post(
            a,
            "/v1/roles",
            "application/json",
            """
            {"kind": "role", "version": "v1", "metadata": {"name": "agent-watcher"},
             "spec": {"allow": {"rules": [{"resources": ["agents"], "verbs": ["list", "read"]}]}}}
            """);
    assertThat(role.status()).as(role.body()).isEqualTo(201);
    String watcher = watcherCredential();
    Web.Response refused =
        web.requestAs(
            watcher,
            HttpMethod.POST,
            a,
            a.toString(),
            "/v1/agents/agent-drain-refused/drain",
            null,
            null,
            null);
    assertThat(refused.status()).as(refused.body()).isEqualTo(403);
    assertThat(refused.json().getString("code")).isEqualTo("access-denied");
    Web.Response listing =
        web.requestAs(watcher, HttpMethod.GET, a, a.toString(), "/v1/agents", null, null, null);
    assertThat(listing.status()).isEqualTo(200);
    assertThat(listed(a, "agent-drain-refused").orElseThrow().getString("state"))
        .isEqualTo("serving");
    assertThat(agent.isDraining()).isFalse();
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(cluster.audit())
                    .anyMatch(
                        e ->
                            e.getType().equals(AuditLog.ACCESS_DENIED)
                                && "drain-watcher".equals(e.getUser())));
    assertThat(cluster.audit())
        .noneMatch(
            e ->
                e.getType().equals(AuditLog.AGENT_DRAIN)
                    && "agent-drain-refused".equals(e.getAgentId()));

    Web.Response unknown = drain(a, "agent-nobody");
    assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);
    assertThat(unknown.body()).contains("agent-nobody is not connected to any proxy");
    assertThat(drain(a, "bad%20id").status()).isEqualTo(400);
  }

  private static String watcherCredential() {
    Proxy proxy = proxyA;
    try {
      proxy
          .accounts()
          .put("drain-watcher", List.of("agent-watcher"), null, "test")
          .toCompletableFuture()
          .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    Eventually.within(WAIT).until(() -> proxy.accounts().knows("drain-watcher"));
    return proxy.accounts().credential("drain-watcher", Duration.ofHours(1));
  }

  @Test
  void aProxyWithoutATunnelToTheAgentNamesOneThatHasAndAnAgentThatNeverSaysDrainingIsReported()
      throws Exception {
    // One tunnel, to proxy A, and an agent that does not understand the request.
    try (BareAgent bare = new BareAgent(cluster.ca(), "agent-drain-bare", a)) {
      Eventually.within(WAIT)
          .untilAsserted(
              () ->
                  assertThat(listed(b, "agent-drain-bare").orElseThrow().getJsonArray("proxies"))
                      .containsExactly("proxy-drain-a"));
      Web.Response elsewhere = drain(b, "agent-drain-bare");
      assertThat(elsewhere.status()).as(elsewhere.body()).isEqualTo(409);
      assertThat(elsewhere.json().getString("code")).isEqualTo("agent-elsewhere");
      assertThat(elsewhere.json().getString("error"))
          .contains("no tunnel to proxy proxy-drain-b", "proxy-drain-a");

      Web.Response unconfirmed = drain(a, "agent-drain-bare");
      assertThat(unconfirmed.status()).as(unconfirmed.body()).isEqualTo(504);
      assertThat(unconfirmed.json().getString("code")).isEqualTo("drain-unconfirmed");
      assertThat(bare.heard()).contains(new JsonObject().put("drain", true));
      assertThat(listed(a, "agent-drain-bare").orElseThrow().getString("state"))
          .isEqualTo("serving");
      Eventually.within(WAIT)
          .untilAsserted(
              () ->
                  assertThat(cluster.audit())
                      .anyMatch(
                          e ->
                              e.getType().equals(AuditLog.AGENT_DRAIN)
                                  && "agent-drain-bare".equals(e.getAgentId())
                                  && "failed".equals(e.getOutcome())));
    }
  }

  @Test
  void drainTimeoutEndsTcpSessionsTheirClientsKeptOpen() throws Exception {
    Agent agent = agent("agent-drain-timeout", "timeout", "2s");
    awaitHealthy("timeout", 1);
    try (Socket session = tcp(a, "timeout")) {
      long asked = System.nanoTime();
      assertThat(drain(b, "agent-drain-timeout").status()).isEqualTo(202);
      assertEchoes(session, "during the drain");
      // The agent closes it when drain_timeout is up, not before.
      InputStream in = session.getInputStream();
      int read;
      try {
        read = in.read();
      } catch (IOException reset) {
        read = -1;
      }
      Duration lasted = Duration.ofNanos(System.nanoTime() - asked);
      assertThat(read).isEqualTo(-1);
      assertThat(lasted).isGreaterThanOrEqualTo(Duration.ofSeconds(2)).isLessThan(WAIT);
    }
    awaitStopped(agent);
  }

  @Test
  void aGracefulStopAsOnSigtermDrainsAndEndsWhenTheLastClientCloses() throws Exception {
    Agent agent = agent("agent-drain-sigterm", "sigterm", "1m");
    awaitHealthy("sigterm", 1);
    CompletableFuture<Void> stop;
    try (Socket session = tcp(a, "sigterm")) {
      // What the CLI's SIGTERM hook does.
      stop = CompletableFuture.runAsync(agent::close);
      Eventually.within(WAIT).until(agent::isDraining);
      long began = System.nanoTime();
      Eventually.within(SEEN)
          .untilAsserted(() -> assertDrainingEverywhere("agent-drain-sigterm", "sigterm"));
      assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(SEEN);
      assertEchoes(session, "not cut");
      assertThat(stop).isNotDone();
    }
    stop.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(agent.openSessions()).isZero();
  }

  @Test
  void aPinnedHttpSessionIsRepinnedOnItsNextRequestWithoutAFailure() throws Exception {
    Agent first = agent("agent-pin-1", "pin", "1m");
    Agent second = agent("agent-pin-2", "pin", "1m");
    awaitHealthy("pin", 2);
    Web.Response opened = web.app(a, "web-pin", "/one", null);
    assertThat(opened.status()).isEqualTo(200);
    String cookie = opened.sessionCookie();
    String pinned = opened.agent();
    Agent drained = pinned.equals(first.id()) ? first : second;
    String other = drained == first ? second.id() : first.id();

    assertThat(drain(b, pinned).status()).isEqualTo(202);
    // Nothing was open on it: it is gone at once; the session's next request moves.
    Web.Response next = web.app(a, "web-pin", "/two", cookie);
    assertThat(next.status()).as(next.body()).isEqualTo(200);
    assertThat(next.body()).isEqualTo("hello /two");
    assertThat(next.agent()).isEqualTo(other);
    awaitStopped(drained);
    Web.Response after = web.app(b, "web-pin", "/three", cookie);
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.agent()).isEqualTo(other);
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(cluster.audit())
                    .anyMatch(
                        e ->
                            e.getType().equals(AuditLog.SESSION_REPIN)
                                && other.equals(e.getAgentId())
                                && "web-pin".equals(e.getName())
                                // Draining, or gone already: nothing was open on it.
                                && e.getDetails()
                                    .get("reason")
                                    .matches(
                                        "agent "
                                            + pinned
                                            + " is (draining|not connected to this proxy"
                                            + "|no longer serving the resource)")));
  }

  @Test
  void rollingDrainOfEveryAgentUnderHttpAndTcpLoadFailsNothing() throws Exception {
    Duration drainTimeout = Duration.ofSeconds(2);
    List<String> ids = List.of("agent-roll-1", "agent-roll-2", "agent-roll-3");
    List<Agent> agents = new ArrayList<>();
    for (String id : ids) {
      agents.add(agent(id, "roll", "2s"));
    }
    awaitHealthy("roll", 3);
    try (Load load = new Load(List.of(a, b), "roll")) {
      load.start();
      Eventually.within(WAIT).until(() -> load.httpOk() > 20 && load.tcpOk() > 5);
      for (int i = 0; i < ids.size(); i++) {
        String id = ids.get(i);
        List<LongSession> held = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
          held.add(new LongSession(tcp(i % 2 == 0 ? a : b, "roll")));
        }
        long drainStarted = System.nanoTime();
        Web.Response asked = drain(i % 2 == 0 ? b : a, id);
        assertThat(asked.status()).as(asked.body()).isEqualTo(202);
        awaitStopped(agents.get(i));
        // Each long session either lives on (another agent has it) or was cut by the drain, and
        // then no earlier than drain_timeout after the drain began.
        for (LongSession session : held) {
          session.check(drainStarted, drainTimeout);
          session.close();
        }
        agents.set(i, agent(id, "roll", "2s"));
        awaitHealthy("roll", 3);
        long before = load.httpOk();
        Eventually.within(WAIT).until(() -> load.httpOk() > before + 10);
      }
      load.stop();
      assertThat(load.failures()).as("failed requests and sessions").isEmpty();
      assertThat(load.httpOk()).isPositive();
      assertThat(load.tcpOk()).isPositive();
    }
  }

  /**
   * A TCP session held open through a drain; a thread reads what it echoes and notes when (and
   * whether) the far end closed it.
   */
  private static final class LongSession implements AutoCloseable {
    private final Socket socket;
    private final java.util.concurrent.atomic.AtomicLong echoed =
        new java.util.concurrent.atomic.AtomicLong();
    private volatile long endedAt;
    private final Thread reader;

    LongSession(Socket socket) throws IOException {
      this.socket = socket;
      socket.setSoTimeout(0);
      InputStream in = socket.getInputStream();
      this.reader =
          new Thread(
              () -> {
                try {
                  while (in.read() >= 0) {
                    echoed.incrementAndGet();
                  }
                } catch (IOException e) {
                  // Cut: the same as an end of stream here.
                }
                endedAt = System.nanoTime();
              },
              "drain-it-long-session");
      reader.setDaemon(true);
      reader.start();
    }

    /**
     * Either it was cut, no earlier than {@code timeout} after {@code drainStarted}, or it still
     * echoes.
     */
    void check(long drainStarted, Duration timeout) throws IOException {
      if (endedAt != 0) {
        assertThat(Duration.ofNanos(endedAt - drainStarted))
            .as("a TCP session cut by the drain")
            .isGreaterThanOrEqualTo(timeout);
        return;
      }
      long before = echoed.get();
      OutputStream out = socket.getOutputStream();
      out.write("ping".getBytes(StandardCharsets.UTF_8));
      out.flush();
      Eventually.within(WAIT).until(() -> echoed.get() >= before + 4 || endedAt != 0);
      assertThat(endedAt).as("a TCP session on an agent that was not drained").isZero();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /**
   * Load on both proxies while agents drain: HTTP sessions (each keeps its cookie, so it is pinned
   * and must be re-pinned when its agent drains) and new TCP sessions, each opened, echoed once and
   * closed. Every answer that is not a success is a failure.
   */
  private static final class Load implements AutoCloseable {
    private final List<HostPort> proxies;
    private final String group;
    private final List<Thread> threads = new ArrayList<>();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.atomic.AtomicLong httpOk =
        new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong tcpOk =
        new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean running = true;

    Load(List<HostPort> proxies, String group) {
      this.proxies = proxies;
      this.group = group;
    }

    void start() {
      for (int i = 0; i < 2; i++) {
        int worker = i;
        threads.add(new Thread(() -> http(worker), "drain-it-http-" + i));
      }
      threads.add(new Thread(this::churn, "drain-it-tcp"));
      threads.forEach(Thread::start);
    }

    private void http(int worker) {
      String cookie = null;
      long n = 0;
      while (running) {
        HostPort via = proxies.get((int) (n++ % proxies.size()));
        String path = "/w" + worker + "/" + n;
        try {
          Web.Response r = web.app(via, "web-" + group, path, cookie);
          if (r.status() != 200 || !r.body().equals("hello " + path)) {
            failures.add("HTTP " + path + " via " + via + ": " + r.status() + " " + r.body());
          } else {
            httpOk.incrementAndGet();
            if (cookie == null) {
              cookie = r.sessionCookie();
            }
          }
        } catch (AssertionError e) {
          failures.add("HTTP " + path + " via " + via + ": " + e.getMessage());
        }
      }
    }

    private void churn() {
      long n = 0;
      while (running) {
        HostPort via = proxies.get((int) (n++ % proxies.size()));
        try (Socket socket = DrainIT.tcp(via, group)) {
          assertEchoes(socket, "once more");
          tcpOk.incrementAndGet();
        } catch (IOException | AssertionError e) {
          failures.add("TCP session " + n + " via " + via + ": " + e);
        }
      }
    }

    long httpOk() {
      return httpOk.get();
    }

    long tcpOk() {
      return tcpOk.get();
    }

    List<String> failures() {
      return List.copyOf(failures);
    }

    @Override
    public void close() {
      stop();
    }

    /** Stops every worker and waits for it. */
    void stop() {
      running = false;
      try {
        for (Thread t : threads) {
          t.join(WAIT.toMillis());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
