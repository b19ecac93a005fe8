package io.gatehouse.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.SessionPin;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.publish.RecordingPublisher;
import io.gatehouse.proxy.routing.AgentEndpoint;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.relay.SessionId;
import io.gatehouse.state.StateStore;
import io.gatehouse.testkit.Eventually;
import io.gatehouse.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

class SessionSweeperTest {
  private static final ResourceRef DEMO = new ResourceRef(ResourceKind.APP, "demo");
  private static final ResourceRef PG = new ResourceRef(ResourceKind.DB, "pg");
  private static final AgentEndpoint A = new AgentEndpoint("agent-a", "127.0.0.1:3024");
  private static final Duration IDLE = Duration.ofMinutes(30);
  private static final Duration HOURLY = Duration.ofHours(1);

  @TempDir Path dir;
  private StateStore store;
  private final MutableClock clock = new MutableClock();
  private final RecordingPublisher kafka = new RecordingPublisher();
  private SessionPins pins;
  private AuditLog audit;

  @BeforeEach
  void open() {
    store = StateStore.open(dir, Topic.MATERIALIZED.stream().map(Topic::suffix).toList());
    pins = new SessionPins(store, Flux.never(), kafka, clock, "proxy-1", SessionPinsTest.KEYS);
    audit = new AuditLog(kafka, clock, "proxy-1");
  }

  @AfterEach
  void close() {
    pins.close();
    store.close();
  }

  @Test
  void expiresHttpSessionsIdlePastTheTimeoutAndAuditsEachAsExpired() {
    String idle = SessionId.generate();
    SessionPin idlePin = pins.pin(idle, DEMO, A, SessionPins.HTTP, null);
    clock.advance(Duration.ofMinutes(20));
    String recent = SessionId.generate();
    pins.pin(recent, DEMO, A, SessionPins.HTTP, null);
    clock.advance(Duration.ofMinutes(11));

    try (SessionSweeper sweeper =
        new SessionSweeper(pins, audit, IDLE, HOURLY, Mono.never(), id -> false)) {
      assertThat(sweeper.expireIdle()).containsExactly(idlePin);
    }

    assertThat(pins.get(idle)).isEmpty();
    assertThat(pins.get(recent)).isPresent();
    String key = SessionPinsTest.KEYS.of(idle);
    assertThat(sessionEnds()).containsExactly("expired " + key);
    // The audit record is keyed by the session's key too: the id is on no topic.
    assertThat(kafka.sent)
        .filteredOn(s -> s.topic() == Topic.AUDIT)
        .extracting(RecordingPublisher.Sent::key)
        .containsExactly(key);
  }

  @Test
  void sweepsOnItsOwnEveryInterval() {
    String idle = SessionId.generate();
    SessionPin idlePin = pins.pin(idle, DEMO, A, SessionPins.HTTP, null);
    clock.advance(IDLE.plusSeconds(1));

    SessionSweeper sweeper =
        new SessionSweeper(pins, audit, IDLE, Duration.ofMillis(10), Mono.never(), id -> false);
    try {
      Eventually.within(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertThat(sessionEnds()).containsExactly("expired " + idlePin.getSessionId()));
    } finally {
      sweeper.close();
    }
    assertThat(pins.get(idle)).isEmpty();
  }

  @Test
  void endsTcpSessionsLeftByAnEarlierRunOnceCaughtUpAndAuditsEachAsLost() {
    String orphan = SessionId.generate();
    String open = SessionId.generate();
    SessionPin orphanPin = pins.pin(orphan, PG, A, SessionPins.TCP, null);
    SessionPin openPin = pins.pin(open, PG, A, SessionPins.TCP, null);
    Sinks.Empty<Void> caughtUp = Sinks.empty();

    SessionSweeper sweeper =
        new SessionSweeper(
            pins, audit, IDLE, HOURLY, caughtUp.asMono(), Set.of(openPin.getSessionId())::contains);
    try {
      assertThat(pins.get(orphan)).as("before catching up").isPresent();
      caughtUp.tryEmitEmpty();
    } finally {
      sweeper.close();
    }

    assertThat(pins.get(orphan)).isEmpty();
    assertThat(pins.get(open)).isPresent();
    assertThat(sessionEnds()).containsExactly("lost " + orphanPin.getSessionId());
  }

  @Test
  void closingBeforeCatchingUpLeavesOrphansForTheNextRun() {
    String orphan = SessionId.generate();
    pins.pin(orphan, PG, A, SessionPins.TCP, null);
    Sinks.Empty<Void> caughtUp = Sinks.empty();

    SessionSweeper sweeper =
        new SessionSweeper(pins, audit, IDLE, HOURLY, caughtUp.asMono(), id -> false);
    sweeper.close();
    sweeper.close();
    caughtUp.tryEmitEmpty();

    assertThat(pins.get(orphan)).isPresent();
    assertThat(sessionEnds()).isEmpty();
  }

  /** The audit's session ends, as {@code outcome sessionId}, in order. */
  private List<String> sessionEnds() {
    return kafka.sent.stream()
        .filter(s -> s.topic() == Topic.AUDIT)
        .map(s -> (AuditEvent) s.value())
        .filter(e -> e.getType().equals(AuditLog.SESSION_END))
        .map(e -> e.getOutcome() + " " + e.getSessionId())
        .toList();
  }
}
