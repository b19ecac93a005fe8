package io.gatehouse.proxy.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.Keys;
import io.gatehouse.events.Lock;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.StateBatch;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Sinks;

/**
 * Locks over a real state store: a credential's lock counts until its expiry, then is forgotten.
 */
class LocksTest {
  private static final Instant T0 = Instant.parse("2026-11-23T21:00:00Z");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(T0);
  private final Sinks.Many<StateChange> changes = Sinks.many().multicast().directBestEffort();
  private StateStore store;
  private Locks locks;
  private long offset;

  @BeforeEach
  void open() {
    store = StateStore.open(dir, List.of(Topic.LOCKS.suffix()));
    locks = new Locks(store, changes.asFlux(), clock);
  }

  @AfterEach
  void close() {
    locks.close();
    store.close();
  }

  private void write(Lock lock) {
    byte[] value = EventCodec.LOCK.encode(lock);
    try (StateBatch b = store.batch()) {
      b.put(Topic.LOCKS.suffix(), Keys.bytes(lock.getTarget()), value);
      store.write(b);
    }
    changes.tryEmitNext(new StateChange(Topic.LOCKS, lock.getTarget(), value, 0, offset++));
  }

  private static Lock lock(String target, Instant expiresAt) {
    return Lock.newBuilder().setTarget(target).setCreatedAt(T0).setExpiresAt(expiresAt).build();
  }

  @Test
  void aCredentialsLockCountsUntilItExpiresAndIsThenSweptAway() {
    List<String> heard = new ArrayList<>();
    locks.onLock(l -> heard.add(l.getTarget()));
    write(lock("credential/abc", T0.plus(Duration.ofHours(1))));
    write(lock("user/bob", null));

    assertThat(locks.credential("abc")).isPresent();
    assertThat(locks.agentsAndUsers()).extracting(Lock::getTarget).containsExactly("user/bob");
    assertThat(heard).containsExactly("credential/abc", "user/bob");

    clock.advance(Duration.ofHours(1));
    assertThat(locks.credential("abc")).as("expired: refused as such anyway").isEmpty();
    assertThat(locks.expire()).isEqualTo(1);
    assertThat(locks.expire()).isZero();
    assertThat(locks.user("bob")).as("no expiry: stands until lifted").isPresent();
  }

  @Test
  void aLockAlreadyExpiredWhenReadIsNotKept() {
    List<String> heard = new ArrayList<>();
    locks.onLock(l -> heard.add(l.getTarget()));
    write(lock("credential/old", T0.minus(Duration.ofMinutes(1))));

    assertThat(locks.credential("old")).isEmpty();
    assertThat(locks.expire()).isZero();
    assertThat(heard).isEmpty();
  }
}
