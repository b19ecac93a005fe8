package io.gatehouse.proxy.auth;

import io.gatehouse.lifecycle.DaemonThreads;
import io.gatehouse.oidc.OidcException;
import io.gatehouse.oidc.OidcProvider;
import io.gatehouse.oidc.OidcSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The OpenID Connect provider of {@code proxy.auth.oidc}, discovered in the background: {@link
 * #start} tries at once, and a provider that is down does not hold the proxy up. Until discovery
 * succeeds, {@link #provider} fails with the reason, and tries again when the last attempt is at
 * least {@link #RETRY_AFTER} old (so a flood of logins does not flood the provider). Once found,
 * the provider is kept: it refreshes its own keys. Thread-safe; {@link #close} stops the thread.
 */
public final class OidcDiscovery implements AutoCloseable {
  static final Duration RETRY_AFTER = Duration.ofSeconds(5);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final OidcSettings settings;
  private final Clock clock;
  private final ExecutorService thread;
  private CompletableFuture<OidcProvider> attempt;
  private Instant attemptedAt = Instant.MIN;

  public OidcDiscovery(OidcSettings settings, Clock clock, String proxyId) {
    this.settings = settings;
    this.clock = clock;
    this.thread =
        Executors.newSingleThreadExecutor(DaemonThreads.named("gatehouse-oidc-" + proxyId));
  }

  /** Starts the first discovery; returns at once. */
  public OidcDiscovery start() {
    provider();
    return this;
  }

  /**
   * The provider, once discovered; a failed stage with an {@link OidcException} saying why it is
   * not (yet), e.g. that the discovery document could not be read.
   */
  public synchronized CompletionStage<OidcProvider> provider() {
    boolean failed = attempt != null && attempt.isCompletedExceptionally();
    if (attempt == null || (failed && !clock.instant().isBefore(attemptedAt.plus(RETRY_AFTER)))) {
      attemptedAt = clock.instant();
      attempt =
          CompletableFuture.supplyAsync(
              () -> OidcProvider.discover(settings, null, TIMEOUT, clock), thread);
    }
    return attempt;
  }

  public OidcSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
