package io.gatehouse.bench;

import io.gatehouse.access.Access;
import io.gatehouse.access.Role;
import io.gatehouse.access.RoleBlock;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.resource.LabelSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Authorization of a new session: {@link Access#mayOpen} (what the proxy asks before it opens a
 * session) and {@link Access#decideOpen} (the same with the reason an audit event carries) for one
 * user holding {@code roles} roles (10,000: far more than anyone holds, so the index, not the
 * roles, is measured).
 *
 * <p>Role {@code i} allows apps labelled {@code team=team-i} in one of three environments (a
 * literal selector whose {@code env} term every third role shares); every 10th role adds a glob
 * ({@code team: team-i-*}), every 50th a regex selector with a literal term, every 500th a pure
 * regex ({@code owner: ^svc-[0-9]+$}); every 100th denies {@code tier=secret} of its team. Each
 * sampled resource carries team, env, region and tier labels for a random team, 20% of them outside
 * every role (refused), a few of them denied.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(
    value = 1,
    jvmArgs = {"-Xms512m", "-Xmx512m"})
public class AuthorizationBenchmark {
  private static final String[] ENVS = {"dev", "qa", "prod"};
  private static final int RESOURCES = 4096;

  @Param({"10000"})
  int roles;

  private List<Role> held;
  private Access access;
  private List<Map<String, String>> resources;
  private int next;

  @Setup(Level.Trial)
  public void compile() {
    held = new ArrayList<>(roles);
    for (int i = 0; i < roles; i++) {
      String team = "team-" + i;
      List<LabelSelector> allow = new ArrayList<>();
      allow.add(LabelSelector.of(Map.of("team", team, "env", ENVS[i % 3])));
      if (i % 10 == 0) {
        allow.add(LabelSelector.of(Map.of("team", team + "-*")));
      }
      if (i % 50 == 0) {
        allow.add(LabelSelector.of(Map.of("region", "^eu-(west|north)-[0-9]$", "team", team)));
      }
      if (i % 500 == 0) {
        allow.add(LabelSelector.of(Map.of("owner", "^svc-[0-9]+$")));
      }
      RoleBlock deny =
          i % 100 == 0
              ? new RoleBlock(
                  Map.of(
                      ResourceKind.APP,
                      List.of(LabelSelector.of(Map.of("team", team, "tier", "secret")))),
                  List.of())
              : RoleBlock.EMPTY;
      held.add(
          new Role(
              "role-" + i,
              Map.of(),
              new RoleBlock(Map.of(ResourceKind.APP, allow), List.of()),
              deny,
              1));
    }
    access = Access.of("alice", held);
    SplittableRandom random = new SplittableRandom(42);
    resources = new ArrayList<>(RESOURCES);
    for (int r = 0; r < RESOURCES; r++) {
      // 20% of teams no role names: refused after a full lookup.
      int team = random.nextInt(roles + roles / 4);
      resources.add(
          Map.of(
              "team",
              "team-" + team + (random.nextInt(4) == 0 ? "-api" : ""),
              "env",
              ENVS[random.nextInt(3)],
              "region",
              random.nextBoolean() ? "eu-west-1" : "us-east-1",
              "tier",
              random.nextInt(20) == 0 ? "secret" : "web"));
    }
  }

  private Map<String, String> nextResource() {
    next = (next + 1) & (RESOURCES - 1);
    return resources.get(next);
  }

  @Benchmark
  public boolean mayOpen() {
    return access.mayOpen(ResourceKind.APP, nextResource());
  }

  @Benchmark
  public Access.Decision decideOpen() {
    return access.decideOpen(ResourceKind.APP, nextResource());
  }

  /** What a change of one of the user's roles costs: compiling all of them again. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 5)
  @Measurement(iterations = 20)
  public Access compileAll() {
    return Access.of("alice", held);
  }
}
