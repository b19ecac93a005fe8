package io.gatehouse.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TierChooserTest {
  private static final Map<String, Integer> NO_SESSIONS = Map.of();

  private static Candidate agent(String id, String zone) {
    return new Candidate(
        new AgentEndpoint(id, "127.0.0.1:1"),
        AgentStatus.Health.HEALTHY,
        new TargetHealth(TargetHealth.State.HEALTHY, "ok", Instant.EPOCH),
        zone);
  }

  private static TierChooser chooser(String zone, Map<String, Integer> sessions) {
    return new TierChooser(
        Optional.ofNullable(zone), id -> sessions.getOrDefault(id, 0), new SplittableRandom(11));
  }

  /** Agent id → how often it was picked, and every reason given, over {@code n} picks. */
  private static Map<String, Integer> picks(
      TierChooser chooser, RoutingPolicy policy, List<Candidate> tier, int n, List<String> why) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      TierChooser.Pick pick = chooser.choose(policy, tier);
      counts.merge(pick.candidate().agent().agentId(), 1, Integer::sum);
      why.add(pick.reason());
    }
    return counts;
  }

  @Test
  void randomSpreadsUniformlyAndSaysSo() {
    List<String> why = new java.util.ArrayList<>();
    Map<String, Integer> counts =
        picks(
            chooser(null, NO_SESSIONS),
            RoutingPolicy.RANDOM,
            List.of(agent("a", ""), agent("b", ""), agent("c", "")),
            3000,
            why);
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(850, 1150));
    assertThat(why).containsOnly("random");
    assertThat(chooser(null, NO_SESSIONS).choose(RoutingPolicy.RANDOM, List.of(agent("a", ""))))
        .isEqualTo(new TierChooser.Pick(agent("a", ""), "only candidate"));
  }

  @Test
  void sameZoneFirstPicksOnlyTheLocalZonesAgentsAtRandom() {
    List<String> why = new java.util.ArrayList<>();
    Map<String, Integer> counts =
        picks(
            chooser("eu-1", NO_SESSIONS),
            RoutingPolicy.SAME_ZONE_FIRST,
            List.of(
                agent("far", "us-1"),
                agent("near-1", "eu-1"),
                agent("none", ""),
                agent("near-2", "eu-1")),
            2000,
            why);
    assertThat(counts).containsOnlyKeys("near-1", "near-2");
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(850, 1150));
    assertThat(why).containsOnly("same-zone eu-1");
  }

  @Test
  void sameZoneFirstFallsBackToAnyAgentWhenNoneIsInTheZone() {
    List<String> why = new java.util.ArrayList<>();
    Map<String, Integer> counts =
        picks(
            chooser("eu-1", NO_SESSIONS),
            RoutingPolicy.SAME_ZONE_FIRST,
            List.of(agent("far", "us-1"), agent("none", ""), agent("EU", "EU-1")),
            3000,
            why);
    assertThat(counts).as("zones compare exactly").containsOnlyKeys("far", "none", "EU");
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(850, 1150));
    assertThat(why).containsOnly("fallback: no healthy agent in zone eu-1");
  }

  @Test
  void leastSessionsTakesTheLessLoadedOfTwoAndNamesBothCounts() {
    TierChooser chooser = chooser(null, Map.of("busy", 5, "idle", 3));
    for (int i = 0; i < 20; i++) {
      assertThat(
              chooser.choose(
                  RoutingPolicy.LEAST_SESSIONS, List.of(agent("busy", ""), agent("idle", ""))))
          .isEqualTo(new TierChooser.Pick(agent("idle", ""), "least-sessions 3 vs 5"));
    }
    assertThat(chooser.choose(RoutingPolicy.LEAST_SESSIONS, List.of(agent("busy", ""))))
        .isEqualTo(new TierChooser.Pick(agent("busy", ""), "only candidate"));
  }

  @Test
  void leastSessionsNeverPicksTheBusiestOfThreeAndBreaksTiesAtRandom() {
    List<String> why = new java.util.ArrayList<>();
    Map<String, Integer> counts =
        picks(
            chooser(null, Map.of("a", 2, "b", 2, "c", 9)),
            RoutingPolicy.LEAST_SESSIONS,
            List.of(agent("a", ""), agent("b", ""), agent("c", "")),
            900,
            why);
    assertThat(counts).containsOnlyKeys("a", "b");
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(350, 550));
    assertThat(why).containsOnly("least-sessions 2 vs 2", "least-sessions 2 vs 9");
  }

  @Test
  void leastSessionsSpreads300LongSessionsWithinTenPercentOverThreeAgents() {
    Map<String, Integer> open = new HashMap<>();
    TierChooser chooser =
        new TierChooser(Optional.empty(), id -> open.getOrDefault(id, 0), new SplittableRandom(3));
    List<Candidate> tier = List.of(agent("a", ""), agent("b", ""), agent("c", ""));
    for (int i = 0; i < 300; i++) {
      open.merge(
          chooser.choose(RoutingPolicy.LEAST_SESSIONS, tier).candidate().agent().agentId(),
          1,
          Integer::sum);
    }
    assertThat(open).containsOnlyKeys("a", "b", "c");
    assertThat(open.values()).allSatisfy(n -> assertThat(n).isBetween(90, 110));
  }
}
