package io.gatehouse.agent.internal.health;

import io.gatehouse.agent.HealthCheck;
import io.gatehouse.agent.ServedResource;
import io.gatehouse.agent.internal.catalog.ResourceCatalog;
import io.gatehouse.agent.internal.catalog.Served;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every upstream the agent serves, each on its own schedule ({@code health_check}), and
 * reports each change of an upstream's {@link TargetHealth}. It sits between the catalog and the
 * heartbeat publisher: every change of the served set passes through to {@code next} first, then
 * starts, restarts or stops that resource's checks, whose health starts unknown.
 *
 * <p>All checks run on one Vert.x context and never block it: a probe is a non-blocking connect or
 * request with a timeout. The first check of each resource comes at a random point of its first
 * interval, so a thousand resources served at once are not checked at once; each next check starts
 * one interval after the last ended. A session whose upstream refused the connection counts as a
 * failed check at once ({@link #refused}).
 */
public final class HealthChecks implements ResourceCatalog.Listener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthChecks.class);

  /** One check of one upstream: succeeds with what it saw, fails with why. */
  @FunctionalInterface
  public interface Probe {
    Future<String> check(Served served, String resource);
  }

  /** Hears each change of an upstream's health. */
  @FunctionalInterface
  public interface Report {
    void changed(ServedResource resource, TargetHealth health);
  }

  private final String agentId;
  private final Vertx vertx;
  private final Context context;
  private final Function<String, Optional<Served>> lookup;
  private final Probe probe;
  private final ResourceCatalog.Listener next;
  private final Report report;
  private final Clock clock;
  private final RandomGenerator random;
  private final Counter succeeded;
  private final Counter failed;

  /** Check loops by resource key; the context's thread only. */
  private final Map<String, Loop> loops = new HashMap<>();

  private volatile boolean closed;

  /**
   * @param lookup the catalog's served resources by key, with their upstream and check settings
   * @param next hears every change of the served set before its checks start
   */
  public HealthChecks(
      String agentId,
      Vertx vertx,
      Function<String, Optional<Served>> lookup,
      Probe probe,
      ResourceCatalog.Listener next,
      Report report,
      Clock clock,
      RandomGenerator random,
      MeterRegistry registry) {
    this.agentId = agentId;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.lookup = lookup;
    this.probe = probe;
    this.next = next;
    this.report = report;
    this.clock = clock;
    this.random = random;
    this.succeeded = checks(registry, "success");
    this.failed = checks(registry, "failure");
  }

  private static Counter checks(MeterRegistry registry, String outcome) {
    return Counter.builder("gatehouse.agent.health.checks")
        .description("Health checks of served upstreams, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  @Override
  public void served(ServedResource resource) {
    next.served(resource);
    Optional<Served> served = lookup.apply(resource.key());
    context.runOnContext(v -> restart(resource.key(), served.orElse(null)));
  }

  @Override
  public void stopped(ServedResource resource) {
    next.stopped(resource);
    context.runOnContext(v -> restart(resource.key(), null));
  }

  /** A session's dial to {@code resource}'s upstream was refused: a failed check, now. */
  public void refused(String resource, String reason) {
    context.runOnContext(
        v -> {
          Loop loop = loops.get(resource);
          if (loop != null) {
            loop.result(false, "a session's connection was refused: " + reason);
          }
        });
  }

  /** Stops every check; nothing more is reported. Idempotent. */
  @Override
  public void close() {
    closed = true;
    context.runOnContext(
        v -> {
          loops.values().forEach(Loop::stop);
          loops.clear();
        });
  }

  private void restart(String key, Served served) {
    Loop previous = loops.remove(key);
    if (previous != null) {
      previous.stop();
    }
    if (closed || served == null || !served.resource().key().equals(key)) {
      return;
    }
    Loop loop = new Loop(key, served);
    loops.put(key, loop);
    loop.start();
  }

  /** The checks of one served upstream; the context's thread only. */
  private final class Loop {
    private final String key;
    private final Served served;
    private final HealthCheck check;
    private final TargetVerdict verdict;
    private long timer = -1;
    private boolean stopped;

    Loop(String key, Served served) {
      this.key = key;
      this.served = served;
      this.check = served.check();
      this.verdict = new TargetVerdict(check, clock.instant());
    }

    void start() {
      if (check.enabled()) {
        schedule(1 + random.nextLong(check.interval().toMillis()));
      }
    }

    void stop() {
      stopped = true;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
    }

    private void schedule(long delayMillis) {
      timer = vertx.setTimer(delayMillis, id -> run());
    }

    private void run() {
      timer = -1;
      if (stopped || closed) {
        return;
      }
      Future<String> outcome;
      try {
        outcome = probe.check(served, key);
      } catch (RuntimeException e) {
        outcome = Future.failedFuture(e);
      }
      outcome.onComplete(
          ar -> {
            // A probe may complete elsewhere (a resolver's thread): the loop is the context's.
            if (Vertx.currentContext() == context) {
              completed(ar);
            } else {
              context.runOnContext(v -> completed(ar));
            }
          });
    }

    private void completed(AsyncResult<String> ar) {
      if (stopped || closed) {
        return;
      }
      (ar.succeeded() ? succeeded : failed).increment();
      result(ar.succeeded(), ar.succeeded() ? ar.result() : describe(ar.cause()));
      schedule(check.interval().toMillis());
    }

    void result(boolean ok, String reason) {
      if (stopped || !check.enabled()) {
        return;
      }
      verdict
          .record(ok, reason, clock.instant())
          .ifPresent(
              health -> {
                if (health.state() == TargetHealth.State.UNHEALTHY) {
                  LOG.warn("agent {}: upstream of {} is unhealthy: {}", agentId, key, reason);
                } else {
                  LOG.info("agent {}: upstream of {} is {}", agentId, key, health.state().word());
                }
                report.changed(served.resource(), health);
              });
    }

    private String describe(Throwable error) {
      for (Throwable t = error; t != null; t = t.getCause()) {
        if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
          return "no answer within " + check.timeout().toMillis() + " ms";
        }
      }
      String message = error.getMessage();
      return (message == null || message.isBlank() ? error.getClass().getSimpleName() : message)
          .replace('\n', ' ');
    }
  }
}
