package io.gatehouse.bench;

import io.gatehouse.access.Access;
import io.gatehouse.access.AppAssertions;
import io.gatehouse.access.Credentials;
import io.gatehouse.access.Role;
import io.gatehouse.access.RoleBlock;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.User;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.resource.LabelSelector;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.lifecycle.FileTree;
import io.gatehouse.proxy.auth.Authenticator;
import io.gatehouse.proxy.auth.IdentityAssertions;
import io.gatehouse.proxy.auth.Principal;
import io.gatehouse.proxy.auth.UserDirectory;
import io.gatehouse.proxy.lock.Locks;
import io.gatehouse.proxy.routing.ResourceLabels;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.proxy.tunnel.ProxyDirectory;
import io.gatehouse.state.StateBatch;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;

/**
 * What authentication costs each relayed app request of a logged-in session, as {@code
 * Ingress.route} and {@code HttpIngress.handle} do it, less the HTTP request itself: the credential
 * out of {@code Gatehouse-Authorization: Bearer …} (a new string per request, as a header is), the
 * {@link Authenticator} on a warm verified-credential cache (revocation, user, lock and compiled
 * access looked up in the {@code UserDirectory}), the open check against the app's labels ({@link
 * ResourceLabels}, {@link Access#decideOpen}) and the cached identity assertion ({@link
 * IdentityAssertions#assertion}). Everything is the proxy's own classes over a real RocksDB state
 * store holding one user, one app (a static one: its labels from a heartbeat) and {@code roles}
 * roles, of which the user holds as many as a user may ({@value #MAX_HELD}, what {@code POST
 * /v1/users} accepts; a credential naming 10,000 would also exceed its 8 KiB bound); the first role
 * allows the app.
 *
 * <p>{@link #appRequest} is the whole; the three others are its parts. Compared in {@code
 * docs/benchmarks.md} with the proxy's CPU per relayed request from the full suite.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class AuthenticatedRequestBenchmark {
  private static final String[] ENVS = {"dev", "qa", "prod"};
  private static final String BEARER = "Bearer ";

  private static final int MAX_HELD = 64;

  /** Roles in the store: 1, or 10,000 (far more than any cluster has). */
  @Param({"1", "10000"})
  int roles;

  private Path dir;
  private StateStore store;
  private Locks locks;
  private UserDirectory directory;
  private ResourceLabels labels;
  private ProxyDirectory proxies;
  private Authenticator authenticator;
  private IdentityAssertions assertions;
  private ResourceRef app;
  private String header;
  private Principal principal;

  @Setup(Level.Trial)
  public void fill() throws IOException {
    Clock clock = Clock.systemUTC();
    Instant now = clock.instant();
    dir = Files.createTempDirectory("gatehouse-authreq-");
    store = Fleet.open(dir);
    Fleet fleet = new Fleet(1, 1);
    fleet.writeHeartbeats(store); // app fleet.name(0), labels env=bench, team=t0
    app = new ResourceRef(ResourceKind.APP, fleet.name(0));
    List<String> names = new ArrayList<>();
    try (StateBatch batch = store.batch()) {
      for (int i = 0; i < roles; i++) {
        Role role = role(i);
        if (i < MAX_HELD) {
          names.add(role.name());
        }
        batch.put(
            Topic.ROLES.suffix(),
            Keys.bytes(role.name()),
            EventCodec.ROLE_DEFINITION.encode(role.toAvro(now, "bench")));
      }
      User user =
          User.newBuilder()
              .setName("alice")
              .setRoles(names)
              .setCreatedAt(now.minus(Duration.ofHours(1)))
              .setUpdatedAt(now.minus(Duration.ofHours(1)))
              .build();
      batch.put(Topic.USERS.suffix(), Keys.bytes("alice"), EventCodec.USER.encode(user));
      store.write(batch);
    }
    // Everything is in the store already: no change arrives during the run.
    Flux<StateChange> changes = Flux.never();
    locks = new Locks(store, changes, clock);
    directory = new UserDirectory(store, changes, locks);
    labels = new ResourceLabels(store, changes);
    proxies = new ProxyDirectory(store, changes, clock::instant);
    Credentials credentials = new Credentials(new byte[32], clock);
    authenticator = new Authenticator(credentials, directory, clock);
    KeyPair key = AppAssertions.generateKey();
    assertions =
        new IdentityAssertions(
            new AppAssertions(key, AppAssertions.keyIdOf(key), clock), proxies, clock);
    // As LoginApi issues it: with the user's roles.
    header = BEARER + credentials.issue("alice", names, Duration.ofHours(12), "password");
    // The session's first request, which fills the caches (credential, access, assertion).
    String first = appRequest();
    if (first == null || !labels.of(app).equals(Map.of("env", "bench", "team", "t0"))) {
      throw new IllegalStateException("the set-up did not authorize " + app);
    }
    principal = principal();
  }

  /** Role 0 allows the app; the others, as AuthorizationBenchmark's, allow other teams. */
  private static Role role(int i) {
    LabelSelector allow =
        i == 0
            ? LabelSelector.of(Map.of("env", "bench"))
            : LabelSelector.of(Map.of("team", "team-" + i, "env", ENVS[i % 3]));
    return new Role(
        "role-" + i,
        Map.of(),
        new RoleBlock(Map.of(ResourceKind.APP, List.of(allow)), List.of()),
        RoleBlock.EMPTY,
        1);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    labels.close();
    directory.close();
    locks.close();
    proxies.close();
    store.close();
    FileTree.delete(dir);
  }

  /** The whole per-request authentication of an app request. */
  @Benchmark
  public String appRequest() {
    Principal p = principal();
    Access.Decision decision = p.access().decideOpen(app.kind(), labels.of(app));
    if (!decision.allowed()) {
      throw new IllegalStateException(decision.reason());
    }
    return assertions.assertion(p.user(), p.access().roles(), app.name());
  }

  /** The credential from the header to a principal (cache hit). */
  @Benchmark
  public Principal principal() {
    // A header's value is a new string on every request: its hash is computed again.
    return authenticator.principal(Optional.of(header.substring(BEARER.length()).trim()));
  }

  /** The open check against the app's labels. */
  @Benchmark
  public Access.Decision authorize() {
    return principal.access().decideOpen(app.kind(), labels.of(app));
  }

  /** The cached identity assertion for the user at the app. */
  @Benchmark
  public String assertion() {
    return assertions.assertion(principal.user(), principal.access().roles(), app.name());
  }
}
