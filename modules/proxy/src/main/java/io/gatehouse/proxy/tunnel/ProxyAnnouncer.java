package io.gatehouse.proxy.tunnel;

import io.gatehouse.config.HostPort;
import io.gatehouse.events.ProxyAnnouncement;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.lifecycle.DaemonThreads;
import io.gatehouse.proxy.publish.EventPublisher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this proxy's announcement on {@code gatehouse.proxies} at start and every {@link
 * #INTERVAL}, and a tombstone at a graceful stop, so agents learn of it and keep a tunnel to it. A
 * write that fails is retried at the next interval (and logged); announcements live {@link #TTL}.
 */
public final class ProxyAnnouncer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyAnnouncer.class);
  public static final Duration INTERVAL = Duration.ofSeconds(30);
  public static final Duration TTL = INTERVAL.multipliedBy(3);

  private final String proxyId;
  private final String assertionKey;
  private final HostPort address;
  private final EventPublisher publisher;
  private final Clock clock;
  private final Instant startedAt;
  private final ScheduledExecutorService timer;

  public ProxyAnnouncer(
      String proxyId,
      HostPort address,
      String assertionKey,
      EventPublisher publisher,
      Clock clock) {
    this.proxyId = proxyId;
    this.assertionKey = assertionKey;
    this.address = address;
    this.publisher = publisher;
    this.clock = clock;
    this.startedAt = clock.instant();
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("gatehouse-proxy-announcer"));
    timer.scheduleAtFixedRate(this::announce, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void announce() {
    ProxyAnnouncement a =
        ProxyAnnouncement.newBuilder()
            .setProxyId(proxyId)
            .setAddress(address.toString())
            .setStartedAt(startedAt)
            .setTime(clock.instant())
            .setTtlMillis(TTL.toMillis())
            .setAssertionKey(assertionKey)
            .build();
    publisher
        .publish(Topic.PROXIES, proxyId, a)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                LOG.warn(
                    "proxy {}: announcement not written ({}); retrying", proxyId, e.getMessage());
              }
            });
  }

  /** Stops announcing and tombstones the announcement (waits briefly for it). */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      publisher
          .publish(Topic.PROXIES, proxyId, null)
          .toCompletableFuture()
          .get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.info(
          "proxy {}: goodbye on the proxies topic not acknowledged: {}", proxyId, e.toString());
    }
  }
}
