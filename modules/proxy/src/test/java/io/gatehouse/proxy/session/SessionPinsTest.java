package io.gatehouse.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.SessionPin;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.proxy.publish.RecordingPublisher;
import io.gatehouse.proxy.routing.AgentEndpoint;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.relay.SessionId;
import io.gatehouse.state.ScanStartHook;
import io.gatehouse.state.StateBatch;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

class SessionPinsTest {
  private static final ResourceRef DEMO = new ResourceRef(ResourceKind.APP, "demo");
  private static final AgentEndpoint A = new AgentEndpoint("agent-a", "127.0.0.1:3024");
  private static final AgentEndpoint B = new AgentEndpoint("agent-b", "127.0.0.1:3025");
  private static final Duration IDLE = Duration.ofMinutes(30);
  static final SessionKeys KEYS = new SessionKeys(ClusterSecret.of(new byte[32]));

  @TempDir Path dir;
  private StateStore store;
  private final MutableClock clock = new MutableClock();
  private final RecordingPublisher kafka = new RecordingPublisher();
  private SessionPins pins;

  @BeforeEach
  void open() {
    store = StateStore.open(dir, Topic.MATERIALIZED.stream().map(Topic::suffix).toList());
    pins = new SessionPins(store, Flux.never(), kafka, clock, "proxy-1", KEYS);
  }

  @AfterEach
  void close() {
    pins.close();
    store.close();
  }

  @Test
  void pinIsReadableAtOnceAndPublished() {
    String id = SessionId.generate();
    SessionPin pin = pins.pin(id, DEMO, A, SessionPins.HTTP, null);
    assertThat(pins.get(id)).contains(pin);
    assertThat(pin.getProxyId()).isEqualTo("proxy-1");
    assertThat(pin.getStartedAt()).isEqualTo(clock.instant());
    assertThat(kafka.sent)
        .containsExactly(new RecordingPublisher.Sent(Topic.SESSIONS, KEYS.of(id), pin));
  }

  @Test
  void pinIsKeyedByTheKeyedHashOfItsIdAndHoldsNoId() {
    String id = SessionId.generate();
    SessionPin pin = pins.pin(id, DEMO, A, SessionPins.HTTP, null);

    assertThat(pin.getSessionId()).isEqualTo(KEYS.of(id)).matches("[0-9a-f]{64}");
    byte[] stored = store.table(Topic.SESSIONS.suffix()).get(Keys.bytes(KEYS.of(id)));
    assertThat(stored).isNotNull();
    assertThat(store.table(Topic.SESSIONS.suffix()).get(Keys.bytes(id))).isNull();
    String value = new String(stored, StandardCharsets.ISO_8859_1);
    assertThat(value).doesNotContain(id);
    assertThat(HexFormat.of().formatHex(stored)).doesNotContain(id);
    assertThat(pins.key(id)).isEqualTo(pin.getSessionId());
  }

  @Test
  void aPinIsFoundByItsCookieButNeverByItsKey() {
    String id = SessionId.generate();
    SessionPin pin = pins.pin(id, DEMO, A, SessionPins.HTTP, null);

    assertThat(pins.get(id)).contains(pin);
    // Whoever reads the key off the topic and presents it as a cookie gets nothing: it is hashed
    // again.
    assertThat(pins.get(pin.getSessionId())).isEmpty();
  }

  @Test
  void proxiesWithAnotherSecretDoNotFindTheSession() {
    String id = SessionId.generate();
    pins.pin(id, DEMO, A, SessionPins.HTTP, null);
    SessionKeys other = new SessionKeys(ClusterSecret.generate(new SecureRandom()));
    try (SessionPins elsewhere = new SessionPins(store, Flux.never(), kafka, clock, "p-2", other)) {
      assertThat(elsewhere.get(id)).isEmpty();
      assertThat(other.of(id)).isNotEqualTo(KEYS.of(id));
    }
  }

  @Test
  void repinKeepsTheStartAndMovesTheAgent() {
    String id = SessionId.generate();
    SessionPin pin = pins.pin(id, DEMO, A, SessionPins.HTTP, null);
    clock.advance(Duration.ofMinutes(1));
    SessionPin moved = pins.repin(pin, B);
    assertThat(moved.getAgentId()).isEqualTo("agent-b");
    assertThat(moved.getAgentAddress()).isEqualTo("127.0.0.1:3025");
    assertThat(moved.getStartedAt()).isEqualTo(pin.getStartedAt());
    assertThat(moved.getLastActiveAt()).isEqualTo(clock.instant());
    assertThat(pins.get(id)).contains(moved);
  }

  @Test
  void touchWritesAtMostOncePerInterval() {
    String id = SessionId.generate();
    SessionPin pin = pins.pin(id, DEMO, A, SessionPins.HTTP, null);
    clock.advance(Duration.ofSeconds(30));
    assertThat(pins.touch(pin, Duration.ofMinutes(1))).isSameAs(pin);
    clock.advance(Duration.ofSeconds(30));
    SessionPin touched = pins.touch(pin, Duration.ofMinutes(1));
    assertThat(touched.getLastActiveAt()).isEqualTo(clock.instant());
    assertThat(kafka.sent).hasSize(2);
  }

  @Test
  void idleSessionsExpireAndUnpinWithATombstone() {
    String idle = SessionId.generate();
    String busy = SessionId.generate();
    pins.pin(idle, DEMO, A, SessionPins.HTTP, null);
    SessionPin busyPin = pins.pin(busy, DEMO, B, SessionPins.HTTP, null);
    clock.advance(Duration.ofMinutes(20));
    pins.touch(busyPin, Duration.ofMinutes(1));
    clock.advance(Duration.ofMinutes(11));
    assertThat(pins.isIdle(pins.get(idle).orElseThrow(), IDLE)).isTrue();
    assertThat(pins.expire(IDLE))
        .extracting(SessionPin::getSessionId)
        .containsExactly(KEYS.of(idle));
    assertThat(pins.get(idle)).isEmpty();
    assertThat(pins.get(busy)).isPresent();
    assertThat(kafka.sent.get(kafka.sent.size() - 1))
        .isEqualTo(new RecordingPublisher.Sent(Topic.SESSIONS, KEYS.of(idle), null));
  }

  @Test
  void pinsOfAnotherProxyExpireAfterTwiceTheTimeout() {
    SessionPins other = new SessionPins(store, Flux.never(), kafka, clock, "proxy-2", KEYS);
    String id = SessionId.generate();
    other.pin(id, DEMO, A, SessionPins.HTTP, null);
    clock.advance(IDLE.plusMinutes(1));
    assertThat(pins.expire(IDLE)).isEmpty();
    clock.advance(IDLE);
    assertThat(pins.expire(IDLE)).extracting(SessionPin::getSessionId).containsExactly(KEYS.of(id));
  }

  @Test
  void tcpSessionsNeverIdleOutButOrphansOfThisProxyEnd() {
    String open = SessionId.generate();
    String orphan = SessionId.generate();
    String foreign = SessionId.generate();
    pins.pin(open, DEMO, A, SessionPins.TCP, null);
    pins.pin(orphan, DEMO, A, SessionPins.TCP, null);
    new SessionPins(store, Flux.never(), kafka, clock, "proxy-2", KEYS)
        .pin(foreign, DEMO, A, SessionPins.TCP, null);
    clock.advance(Duration.ofDays(1));
    assertThat(pins.expire(IDLE)).isEmpty();
    assertThat(pins.endOrphans(Set.of(KEYS.of(open))::contains))
        .extracting(SessionPin::getSessionId)
        .containsExactly(KEYS.of(orphan));
    assertThat(pins.get(open)).isPresent();
    assertThat(pins.get(foreign)).isPresent();
  }

  @Test
  void countFollowsOwnWritesTheStoreAtStartAndOtherProxiesPins() {
    String mine = SessionId.generate();
    SessionPin earlier = pins.pin(SessionId.generate(), DEMO, A, SessionPins.TCP, null);
    Sinks.Many<StateChange> changes = Sinks.many().multicast().directBestEffort();
    try (SessionPins counted =
        new SessionPins(store, changes.asFlux(), kafka, clock, "proxy-1", KEYS)) {
      assertThat(counted.count()).isEqualTo(1);

      counted.pin(mine, DEMO, A, SessionPins.HTTP, null);
      assertThat(counted.count()).isEqualTo(2);

      String foreign = KEYS.of(SessionId.generate());
      SessionPin theirs =
          SessionPin.newBuilder(earlier).setSessionId(foreign).setProxyId("proxy-2").build();
      changes.tryEmitNext(
          new StateChange(Topic.SESSIONS, foreign, EventCodec.SESSION_PIN.encode(theirs), 0, 0));
      assertThat(counted.count()).isEqualTo(3);

      changes.tryEmitNext(new StateChange(Topic.SESSIONS, foreign, null, 0, 1));
      counted.unpin(counted.get(mine).orElseThrow());
      assertThat(counted.count()).isEqualTo(1);
    }
  }

  @Test
  void pinDeletedWhileTheCountLoadsIsNotCounted() {
    pins.pin("a-stays", DEMO, A, SessionPins.HTTP, null);
    pins.pin("b-goes", DEMO, A, SessionPins.HTTP, null);
    Sinks.Many<StateChange> changes = Sinks.many().multicast().directBestEffort();
    // Once the load's scan has begun (its iterator already sees b-goes), another proxy ends b-goes:
    // the materializer deletes it from the store, then publishes the tombstone.
    StateStore racing =
        new ScanStartHook(
            store,
            () -> {
              try (StateBatch batch = store.batch()) {
                batch.delete(Topic.SESSIONS.suffix(), Keys.bytes(KEYS.of("b-goes")));
                store.write(batch);
              }
              changes.tryEmitNext(new StateChange(Topic.SESSIONS, KEYS.of("b-goes"), null, 0, 7));
            });
    try (SessionPins counted =
        new SessionPins(racing, changes.asFlux(), kafka, clock, "proxy-1", KEYS)) {
      // Before the table view the scan added b-goes back after its tombstone: one too many, for
      // good.
      assertThat(counted.count()).isEqualTo(1);
    }
  }

  @Test
  void openSessionsPerAgentFollowPinsRepinsEndsAndOtherProxiesPins() {
    String first = SessionId.generate();
    SessionPin earlier = pins.pin(first, DEMO, A, SessionPins.TCP, null);
    Sinks.Many<StateChange> changes = Sinks.many().multicast().directBestEffort();
    try (SessionPins counted =
        new SessionPins(store, changes.asFlux(), kafka, clock, "proxy-1", KEYS)) {
      assertThat(counted.openOn("agent-a")).as("loaded from the store").isEqualTo(1);

      String second = SessionId.generate();
      counted.pin(second, DEMO, A, SessionPins.HTTP, null);
      assertThat(counted.openOn("agent-a")).as("counted the moment it is pinned").isEqualTo(2);
      assertThat(counted.openOn("agent-b")).isZero();

      SessionPin moved = counted.repin(counted.get(second).orElseThrow(), B);
      assertThat(counted.openOn("agent-a")).isEqualTo(1);
      assertThat(counted.openOn("agent-b")).isEqualTo(1);
      // The materializer applies the same pin again: nothing counts twice.
      changes.tryEmitNext(
          new StateChange(
              Topic.SESSIONS, moved.getSessionId(), EventCodec.SESSION_PIN.encode(moved), 0, 0));
      assertThat(counted.openOn("agent-b")).isEqualTo(1);

      String foreign = KEYS.of(SessionId.generate());
      SessionPin theirs =
          SessionPin.newBuilder(earlier)
              .setSessionId(foreign)
              .setAgentId("agent-b")
              .setProxyId("proxy-2")
              .build();
      changes.tryEmitNext(
          new StateChange(Topic.SESSIONS, foreign, EventCodec.SESSION_PIN.encode(theirs), 0, 1));
      assertThat(counted.openOn("agent-b")).as("another proxy's session").isEqualTo(2);

      changes.tryEmitNext(new StateChange(Topic.SESSIONS, foreign, null, 0, 2));
      counted.unpin(moved);
      counted.unpin(counted.get(first).orElseThrow());
      assertThat(counted.openOn("agent-a")).isZero();
      assertThat(counted.openOn("agent-b")).isZero();
      assertThat(counted.count()).isZero();
    }
  }
}
