package io.gatehouse.proxy.session;

import io.gatehouse.events.SessionPin;
import io.gatehouse.lifecycle.DaemonThreads;
import io.gatehouse.proxy.audit.AuditLog;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Ends the sessions nobody will come back for, and audits each end: every {@code interval}, HTTP
 * sessions idle past the idle timeout ({@link SessionPins#expire}, outcome {@code expired}); once,
 * when the proxy has caught up with the stream, the TCP sessions an earlier run of this proxy left
 * pinned ({@link SessionPins#endOrphans}, outcome {@code lost}).
 *
 * <p>Sweeps run one at a time on the sweeper's own thread; a sweep that fails is logged and the
 * next one runs as planned. Time is the pins' clock, so a test advances that clock and calls {@link
 * #expireIdle}. {@link #close} stops the timer and the wait for catching up; idempotent. It never
 * closes the pins or the audit log it was handed.
 */
public final class SessionSweeper implements AutoCloseable {
  /** How often idle HTTP sessions are looked for when nothing else is said. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(SessionSweeper.class);

  private final SessionPins pins;
  private final AuditLog audit;
  private final Duration idleTimeout;
  private final Predicate<String> openHere;
  private final ScheduledExecutorService timer;
  private final Disposable orphans;

  /**
   * Starts sweeping.
   *
   * @param idleTimeout how long an HTTP session may stay idle ({@code session_idle_timeout})
   * @param interval how often to look for idle sessions, e.g. {@link #DEFAULT_INTERVAL}
   * @param caughtUp completes when the proxy has caught up with the stream; orphans are ended then
   * @param openHere whether the TCP session of a session key is open in this run of the proxy
   */
  public SessionSweeper(
      SessionPins pins,
      AuditLog audit,
      Duration idleTimeout,
      Duration interval,
      Mono<Void> caughtUp,
      Predicate<String> openHere) {
    this.pins = Objects.requireNonNull(pins, "pins");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
    this.openHere = Objects.requireNonNull(openHere, "openHere");
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("sweep interval must be positive, got " + interval);
    }
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("gatehouse-session-sweeper"));
    timer.scheduleWithFixedDelay(
        this::sweepIdle, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    // A failed catch-up never comes: the materializer reports it, and the orphans wait for the
    // next run, as they did in the run that left them.
    this.orphans = caughtUp.subscribe(null, e -> {}, this::endOrphans);
  }

  /** Ends and audits the HTTP sessions idle past the timeout now; what the timer runs. */
  List<SessionPin> expireIdle() {
    List<SessionPin> ended = pins.expire(idleTimeout);
    ended.forEach(pin -> audit.sessionEnded(pin, "expired", 0, 0));
    return ended;
  }

  /** Ends and audits the TCP sessions an earlier run left pinned; run once, on catching up. */
  List<SessionPin> endOrphans() {
    List<SessionPin> ended = pins.endOrphans(openHere);
    ended.forEach(pin -> audit.sessionEnded(pin, "lost", 0, 0));
    return ended;
  }

  private void sweepIdle() {
    // An exception would cancel every later run of a scheduled task.
    try {
      expireIdle();
    } catch (RuntimeException e) {
      LOG.warn("cannot expire idle sessions, trying again in the next sweep: {}", e.toString());
    }
  }

  @Override
  public void close() {
    orphans.dispose();
    timer.shutdownNow();
  }
}
