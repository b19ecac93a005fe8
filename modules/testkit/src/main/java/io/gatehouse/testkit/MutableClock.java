package io.gatehouse.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until the test moves it, so code that takes a {@code Clock} can
 * be tested for expiry, timeouts and scheduling without waiting.
 *
 * <p>Guarantees: time changes only through {@link #advance(Duration)} and {@link #set(Instant)};
 * every change is atomic and immediately visible to all threads; clocks derived with {@link
 * #withZone(ZoneId)} share this clock's time, so moving one moves them all.
 */
public final class MutableClock extends Clock {

  /** Where {@link #MutableClock()} starts: a fixed instant, so runs are repeatable. */
  public static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  /** A clock at {@link #DEFAULT_START}, in UTC. */
  public MutableClock() {
    this(DEFAULT_START);
  }

  /** A clock at {@code start}, in UTC. */
  public MutableClock(Instant start) {
    this(start, ZoneOffset.UTC);
  }

  /** A clock at {@code start}, in {@code zone}. */
  public MutableClock(Instant start, ZoneId zone) {
    this(new AtomicReference<>(Objects.requireNonNull(start, "start")), zone);
  }

  private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /**
   * Moves the clock by {@code duration}; a negative duration moves it back.
   *
   * @return the new instant
   */
  public Instant advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    return now.updateAndGet(current -> current.plus(duration));
  }

  /** Sets the clock to {@code instant}, which may be earlier than the current one. */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public long millis() {
    return now.get().toEpochMilli();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** Returns a view of this clock in {@code zone}; it shares this clock's time. */
  @Override
  public MutableClock withZone(ZoneId zone) {
    return zone.equals(this.zone) ? this : new MutableClock(now, zone);
  }

  @Override
  public String toString() {
    return "MutableClock[" + now.get() + ", " + zone + "]";
  }
}
