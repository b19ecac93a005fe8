package io.gatehouse.proxy.config;

import io.gatehouse.config.ConfigNode;
import io.gatehouse.config.ValueParser;
import java.time.Duration;
import java.util.Objects;

/**
 * How users log in ({@code proxy.auth} in proxy.yaml; docs/proxy.md).
 *
 * @param localEnabled whether local users may log in with a password ({@code local.enabled},
 *     default true)
 * @param credentialTtl how long a login's credential lasts ({@code credential_ttl}, default 12 h,
 *     at most 7 days)
 * @param maxFailedLogins failed logins per user name, and per address, within {@code
 *     failedLoginWindow} after which further attempts wait ({@code max_failed_logins}, default 5)
 * @param failedLoginWindow the window of that count ({@code failed_login_window}, default 5 min)
 */
public record AuthSettings(
    boolean localEnabled, Duration credentialTtl, int maxFailedLogins, Duration failedLoginWindow) {
  public static final Duration DEFAULT_CREDENTIAL_TTL = Duration.ofHours(12);
  public static final Duration MAX_CREDENTIAL_TTL = Duration.ofDays(7);
  public static final int DEFAULT_MAX_FAILED_LOGINS = 5;
  public static final Duration DEFAULT_FAILED_LOGIN_WINDOW = Duration.ofMinutes(5);

  public AuthSettings {
    Objects.requireNonNull(credentialTtl, "credentialTtl");
    Objects.requireNonNull(failedLoginWindow, "failedLoginWindow");
  }

  /** Reads the {@code auth} block (absent: every default), problems at their key paths. */
  static AuthSettings read(ConfigNode auth) {
    boolean local = auth.object("local").bool("enabled", true);
    Duration ttl =
        auth.value(
            "credential_ttl",
            text -> {
              Duration d = ValueParser.positiveDuration().parse(text);
              if (d.compareTo(MAX_CREDENTIAL_TTL) > 0) {
                throw new IllegalArgumentException(
                    "at most " + MAX_CREDENTIAL_TTL.toDays() + "d: a credential cannot be revoked");
              }
              return d;
            },
            DEFAULT_CREDENTIAL_TTL);
    int failures = (int) auth.integer("max_failed_logins", DEFAULT_MAX_FAILED_LOGINS, 1, 1000);
    Duration window =
        auth.value(
            "failed_login_window", ValueParser.positiveDuration(), DEFAULT_FAILED_LOGIN_WINDOW);
    return new AuthSettings(local, ttl, failures, window);
  }
}
