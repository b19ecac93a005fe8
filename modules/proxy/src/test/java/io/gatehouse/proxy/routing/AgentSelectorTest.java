package io.gatehouse.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.ResourceKind;
import io.gatehouse.testkit.MutableClock;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentSelectorTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final ResourceRef DEMO = new ResourceRef(ResourceKind.APP, "demo");

  @TempDir Path dir;
  private StateFixture state;
  private final AtomicReference<Instant> seenUpTo = new AtomicReference<>(NOW);
  private final MutableClock clock = new MutableClock(NOW);
  private Ejections ejections;
  private RoutingTable table;
  private ResourceListing listing;

  @BeforeEach
  void open() {
    state = new StateFixture(dir);
    ejections = new Ejections(clock, Duration.ofSeconds(10));
    // The production path: selection reads the in-memory views the fixture's writes keep current.
    table = state.routingTable(seenUpTo::get, ejections);
    listing = new ResourceListing(state.store, table);
  }

  @AfterEach
  void close() {
    state.close();
  }

  private void serve(String agent) {
    state.heartbeat("app", "demo", agent, NOW.minusSeconds(10));
    // The tunnel opened before the test's ejections: a failure at NOW counts against it.
    state.connect(agent, NOW.minusSeconds(10), "serving");
  }

  private AgentSelector selector(RandomGenerator random) {
    return AgentSelector.pinnedFirst(table, random);
  }

  private static <T> T value(Future<T> f) {
    assertThat(f.succeeded()).as("pick failed: %s", f.cause()).isTrue();
    return f.result();
  }

  private static RoutingFailure failure(Future<?> f) {
    assertThat(f.failed()).isTrue();
    assertThat(f.cause()).isInstanceOf(RoutingFailure.class);
    return (RoutingFailure) f.cause();
  }

  @Test
  void newSessionsSpreadUniformlyOverHealthyAgents() {
    serve("agent-a");
    serve("agent-b");
    serve("agent-c");
    AgentSelector selector = selector(new SplittableRandom(42));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      counts.merge(
          value(selector.pick(SessionRequest.newSession(DEMO))).agent().agentId(), 1, Integer::sum);
    }
    assertThat(counts).containsOnlyKeys("agent-a", "agent-b", "agent-c");
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(850, 1150));
  }

  @Test
  void sameSeedGivesSameChoices() {
    serve("agent-a");
    serve("agent-b");
    serve("agent-c");
    List<String> first = picks(selector(new SplittableRandom(7)));
    List<String> second = picks(selector(new SplittableRandom(7)));
    assertThat(first).isEqualTo(second);
  }

  private List<String> picks(AgentSelector selector) {
    return java.util.stream.IntStream.range(0, 20)
        .mapToObj(i -> value(selector.pick(SessionRequest.newSession(DEMO))).agent().agentId())
        .toList();
  }

  @Test
  void pinnedAgentComesFirstWhileHealthy() {
    serve("agent-a");
    serve("agent-b");
    serve("agent-c");
    AgentSelector selector = selector(new SplittableRandom(1));
    for (int i = 0; i < 50; i++) {
      AgentChoice choice = value(selector.pick(SessionRequest.pinned(DEMO, "agent-b")));
      assertThat(choice.agent().agentId()).isEqualTo("agent-b");
      assertThat(choice.pinned()).isTrue();
    }
  }

  @Test
  void pinnedAgentThatIsGoneGivesAnotherHealthyAgent() {
    serve("agent-a");
    serve("agent-b");
    state.disconnect("agent-b");
    AgentChoice choice =
        value(selector(new SplittableRandom(1)).pick(SessionRequest.pinned(DEMO, "agent-b")));
    assertThat(choice.agent().agentId()).isEqualTo("agent-a");
    assertThat(choice.pinned()).isFalse();
  }

  @Test
  void agentWithoutATunnelToThisProxyIsSkipped() {
    serve("agent-a");
    serve("agent-old");
    state.disconnect("agent-old");
    assertThat(listing.agents(DEMO))
        .extracting(s -> s.agent().agentId() + "=" + s.health())
        .containsExactly("agent-a=HEALTHY", "agent-old=NO_TUNNEL");
    for (int i = 0; i < 20; i++) {
      assertThat(
              value(selector(new SplittableRandom(i)).pick(SessionRequest.newSession(DEMO)))
                  .agent()
                  .agentId())
          .isEqualTo("agent-a");
    }
  }

  @Test
  void streamStandingStillExpiresNothing() {
    serve("agent-a");
    // Kafka unreachable: seenUpTo stays where it was however long the wall clock runs.
    clock.advance(Duration.ofHours(1));
    assertThat(listing.agents(DEMO)).allSatisfy(s -> assertThat(s.healthy()).isTrue());
    // Liveness is the tunnel's: stream time takes no agent out while its tunnel is up.
    seenUpTo.set(NOW.plusSeconds(5));
    assertThat(listing.agents(DEMO)).allSatisfy(s -> assertThat(s.healthy()).isTrue());
    // The resource heartbeat still expires against the stream.
    seenUpTo.set(NOW.plus(Duration.ofMinutes(4)));
    assertThat(listing.agents(DEMO)).isEmpty();
  }

  @Test
  void drainingAgentAndAgentWithoutATunnelAreSkipped() {
    serve("agent-a");
    state.heartbeat("app", "demo", "agent-drain", NOW);
    state.connect("agent-drain", "draining");
    state.heartbeat("app", "demo", "agent-untunneled", NOW);
    assertThat(listing.agents(DEMO))
        .extracting(AgentStatus::health)
        .containsExactly(
            AgentStatus.Health.HEALTHY, AgentStatus.Health.DRAINING, AgentStatus.Health.NO_TUNNEL);
  }

  @Test
  void heartbeatPastItsTtlIsNotListed() {
    serve("agent-a");
    state.heartbeat("app", "demo", "agent-stale", NOW.minus(Duration.ofMinutes(4)));
    state.connect("agent-stale", "serving");
    assertThat(listing.agents(DEMO))
        .extracting(s -> s.agent().agentId())
        .containsExactly("agent-a");
  }

  @Test
  void ejectedAgentIsSkippedUntilItsBackoffEnds() {
    serve("agent-a");
    serve("agent-b");
    ejections.eject("agent-a");
    for (int i = 0; i < 20; i++) {
      assertThat(
              value(selector(new SplittableRandom(i)).pick(SessionRequest.newSession(DEMO)))
                  .agent()
                  .agentId())
          .isEqualTo("agent-b");
    }
    clock.advance(Duration.ofSeconds(10));
    assertThat(listing.agents(DEMO)).allSatisfy(s -> assertThat(s.healthy()).isTrue());
  }

  @Test
  void anAgentThatReconnectedAfterItsEjectionIsPickedAgain() {
    serve("agent-a");
    ejections.eject("agent-a");
    assertThat(listing.agents(DEMO))
        .extracting(AgentStatus::health)
        .containsExactly(AgentStatus.Health.EJECTED);
    // A new tunnel: whatever failed before was the agent behind the old one.
    state.connect("agent-a", NOW.plusMillis(1), "serving");
    assertThat(listing.agents(DEMO))
        .extracting(AgentStatus::health)
        .containsExactly(AgentStatus.Health.HEALTHY);
  }

  @Test
  void failedAgentsAreNotPickedAgainAndTheLastFailureNamesEveryAgentTried() {
    serve("agent-a");
    serve("agent-b");
    AgentSelector selector = selector(new SplittableRandom(3));
    SessionRequest request = SessionRequest.newSession(DEMO);
    AgentChoice first = value(selector.pick(request));
    request = request.after(new FailedAttempt(first.agent().agentId(), "connection refused", true));
    AgentChoice second = value(selector.pick(request));
    assertThat(second.agent().agentId()).isNotEqualTo(first.agent().agentId());
    request = request.after(new FailedAttempt(second.agent().agentId(), "503 draining", true));
    RoutingFailure failure = failure(selector.pick(request));
    assertThat(failure.reason()).isEqualTo(RoutingFailure.Reason.ALL_AGENTS_FAILED);
    assertThat(failure.reason().status()).isEqualTo(502);
    assertThat(failure.getMessage())
        .contains(
            "app/demo",
            "tried 2 agents",
            first.agent().agentId() + " (connection refused)",
            second.agent().agentId() + " (503 draining)");
  }

  @Test
  void agentWhosePooledConnectionWasLostGetsOneMoreTry() {
    serve("agent-a");
    AgentSelector selector = selector(new SplittableRandom(3));
    SessionRequest request =
        SessionRequest.newSession(DEMO)
            .after(new FailedAttempt("agent-a", "connection lost", false));
    assertThat(value(selector.pick(request)).agent().agentId()).isEqualTo("agent-a");
    request = request.after(new FailedAttempt("agent-a", "connection lost", false));
    assertThat(failure(selector.pick(request)).reason())
        .isEqualTo(RoutingFailure.Reason.ALL_AGENTS_FAILED);
  }

  @Test
  void unknownResourceIs404AndKnownResourceWithoutHealthyAgentIs503() {
    assertThat(
            failure(selector(new SplittableRandom(1)).pick(SessionRequest.newSession(DEMO)))
                .reason()
                .status())
        .isEqualTo(404);
    state.define("app", "demo");
    assertThat(
            failure(selector(new SplittableRandom(1)).pick(SessionRequest.newSession(DEMO)))
                .reason())
        .isEqualTo(RoutingFailure.Reason.NO_ALIVE_AGENT);
    ResourceRef other = new ResourceRef(ResourceKind.DB, "pg");
    state.heartbeat("db", "pg", "agent-x", NOW);
    RoutingFailure none =
        failure(selector(new SplittableRandom(1)).pick(SessionRequest.newSession(other)));
    assertThat(none.reason().status()).isEqualTo(503);
    assertThat(none.getMessage()).contains("db/pg");
  }

  @Test
  void resourcesWithSimilarNamesDoNotShareAgents() {
    serve("agent-a");
    state.heartbeat("app", "demo2", "agent-z", NOW);
    state.connect("agent-z", "serving");
    assertThat(listing.agents(DEMO))
        .extracting(s -> s.agent().agentId())
        .containsExactly("agent-a");
    assertThat(listing.all(java.util.Optional.empty()))
        .containsOnlyKeys(DEMO, new ResourceRef(ResourceKind.APP, "demo2"));
  }

  private void target(String agent, TargetHealth.State state) {
    this.state.target(agent, "app", "demo", state);
  }

  private Map<String, Integer> picks(AgentSelector selector, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(
          value(selector.pick(SessionRequest.newSession(DEMO))).agent().agentId(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void newSessionsGoToTargetHealthyAgentsThenUnknownThenUnhealthy() {
    serve("agent-a");
    serve("agent-b");
    serve("agent-c");
    target("agent-a", TargetHealth.State.HEALTHY);
    target("agent-b", TargetHealth.State.UNHEALTHY);
    AgentSelector selector = selector(new SplittableRandom(7));
    assertThat(picks(selector, 200)).containsOnlyKeys("agent-a");

    target("agent-a", TargetHealth.State.UNHEALTHY);
    assertThat(picks(selector, 200)).as("unknown before unhealthy").containsOnlyKeys("agent-c");

    target("agent-c", TargetHealth.State.UNHEALTHY);
    assertThat(picks(selector, 300))
        .as("only unhealthy left: all of them are tried")
        .containsOnlyKeys("agent-a", "agent-b", "agent-c");
  }

  @Test
  void aPinnedSessionLeavesAnAgentWhoseTargetIsDownOnlyForABetterOne() {
    serve("agent-a");
    serve("agent-b");
    target("agent-a", TargetHealth.State.HEALTHY);
    AgentSelector selector = selector(new SplittableRandom(7));
    SessionRequest pinned = SessionRequest.pinned(DEMO, "agent-b");
    assertThat(value(selector.pick(pinned)).pinned())
        .as("unknown is not a reason to move a session")
        .isTrue();

    target("agent-b", TargetHealth.State.UNHEALTHY);
    AgentChoice moved = value(selector.pick(pinned));
    assertThat(moved.pinned()).isFalse();
    assertThat(moved.agent().agentId()).isEqualTo("agent-a");

    target("agent-a", TargetHealth.State.UNHEALTHY);
    assertThat(value(selector.pick(pinned)).agent().agentId())
        .as("every target down: the session stays where it is")
        .isEqualTo("agent-b");
  }

  @Test
  void whenEveryTargetIsDownAndEveryAgentFailedTheFailureSaysTheTargetIsDown() {
    serve("agent-a");
    serve("agent-b");
    target("agent-a", TargetHealth.State.UNHEALTHY);
    target("agent-b", TargetHealth.State.UNHEALTHY);
    SessionRequest tried =
        SessionRequest.newSession(DEMO)
            .after(new FailedAttempt("agent-a", "Connection refused", true))
            .after(new FailedAttempt("agent-b", "Connection refused", true));
    RoutingFailure f = failure(selector(new SplittableRandom(7)).pick(tried));
    assertThat(f.reason()).isEqualTo(RoutingFailure.Reason.TARGET_DOWN);
    assertThat(f.reason().status()).isEqualTo(503);
    assertThat(f.reason().code()).isEqualTo("target-down");
    assertThat(f.getMessage()).startsWith("the target of app/demo is down").contains("agent-a");
  }

  @Test
  void agentsThatAllSayTheUpstreamRefusedThemMeanTheTargetIsDown() {
    serve("agent-a");
    SessionRequest tried =
        SessionRequest.newSession(DEMO)
            .after(new FailedAttempt("agent-a", "502 upstream-refused", true, true));
    assertThat(failure(selector(new SplittableRandom(7)).pick(tried)).reason())
        .isEqualTo(RoutingFailure.Reason.TARGET_DOWN);
    SessionRequest unreachable =
        SessionRequest.newSession(DEMO)
            .after(new FailedAttempt("agent-a", "Connection refused", true));
    assertThat(failure(selector(new SplittableRandom(7)).pick(unreachable)).reason())
        .as("an agent that could not be reached says nothing of its target")
        .isEqualTo(RoutingFailure.Reason.ALL_AGENTS_FAILED);
  }

  private AgentSelector selector(RoutingPolicy policy, Map<String, Integer> sessions) {
    // The proxy is in eu-1; app/demo has the policy of its own.
    RoutingPolicies policies =
        new RoutingPolicies(
            Optional.of("eu-1"), RoutingPolicy.RANDOM, Map.of(), Map.of(DEMO.key(), policy));
    return AgentSelector.pinnedFirst(
        table, policies, id -> sessions.getOrDefault(id, 0), new SplittableRandom(5));
  }

  private void serveIn(String agent, String zone) {
    state.zone(agent, zone);
    serve(agent);
  }

  @Test
  void sameZoneFirstPicksTheLocalZonesAgentsOnlyAndFallsBackWhenTheyAreGone() {
    serveIn("near-1", "eu-1");
    serveIn("near-2", "eu-1");
    serveIn("far", "us-1");
    serve("nowhere");
    AgentSelector selector = selector(RoutingPolicy.SAME_ZONE_FIRST, Map.of());
    assertThat(picks(selector, 300)).containsOnlyKeys("near-1", "near-2");
    AgentChoice choice = value(selector.pick(SessionRequest.newSession(DEMO)));
    assertThat(choice.policy()).isEqualTo(RoutingPolicy.SAME_ZONE_FIRST);
    assertThat(choice.reason()).isEqualTo("same-zone eu-1");

    state.disconnect("near-1");
    state.disconnect("near-2");
    assertThat(picks(selector, 300)).containsOnlyKeys("far", "nowhere");
    assertThat(value(selector.pick(SessionRequest.newSession(DEMO))).reason())
        .isEqualTo("fallback: no healthy agent in zone eu-1");
  }

  @Test
  void targetHealthComesBeforeTheZone() {
    serveIn("near", "eu-1");
    serveIn("far", "us-1");
    target("far", TargetHealth.State.HEALTHY);
    AgentSelector selector = selector(RoutingPolicy.SAME_ZONE_FIRST, Map.of());
    assertThat(picks(selector, 100))
        .as("the local agent's target is unknown, the remote one's healthy")
        .containsOnlyKeys("far");
    target("near", TargetHealth.State.HEALTHY);
    assertThat(picks(selector, 100)).containsOnlyKeys("near");
  }

  @Test
  void aPinnedSessionStaysOnItsAgentWhateverThePolicyAndARepinFollowsThePolicy() {
    serveIn("near", "eu-1");
    serveIn("far", "us-1");
    serveIn("far-2", "us-1");
    AgentSelector selector = selector(RoutingPolicy.SAME_ZONE_FIRST, Map.of());
    AgentChoice stays = value(selector.pick(SessionRequest.pinned(DEMO, "far")));
    assertThat(stays.agent().agentId()).isEqualTo("far");
    assertThat(stays.pinned()).isTrue();
    assertThat(stays.reason()).isEqualTo("pinned");

    state.disconnect("far");
    AgentChoice moved = value(selector.pick(SessionRequest.pinned(DEMO, "far")));
    assertThat(moved.pinned()).isFalse();
    assertThat(moved.agent().agentId()).isEqualTo("near");
    assertThat(moved.reason()).isEqualTo("same-zone eu-1");
  }

  @Test
  void leastSessionsPrefersTheAgentWithFewerOpenSessions() {
    serve("agent-a");
    serve("agent-b");
    serve("agent-c");
    AgentSelector selector =
        selector(RoutingPolicy.LEAST_SESSIONS, Map.of("agent-a", 1, "agent-b", 1, "agent-c", 40));
    assertThat(picks(selector, 200)).containsOnlyKeys("agent-a", "agent-b");
    AgentChoice choice = value(selector.pick(SessionRequest.newSession(DEMO)));
    assertThat(choice.policy()).isEqualTo(RoutingPolicy.LEAST_SESSIONS);
    assertThat(choice.reason()).matches("least-sessions 1 vs (1|40)");
  }

  @Test
  void aResourceWithoutAPolicyOfItsOwnIsRandom() {
    serve("agent-a");
    AgentChoice choice =
        value(selector(new SplittableRandom(1)).pick(SessionRequest.newSession(DEMO)));
    assertThat(choice.policy()).isEqualTo(RoutingPolicy.RANDOM);
    assertThat(choice.reason()).isEqualTo("only candidate");
  }
}
