package io.gatehouse.proxy.config;

import io.gatehouse.config.ConfigNode;
import io.gatehouse.config.ValueParser;
import io.gatehouse.oidc.OidcSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

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
 * @param oidc single sign-on through an OpenID Connect provider ({@code oidc}); empty: none
 * @param oidcRedirectUrl the callback registered at the provider ({@code oidc.redirect_url});
 *     empty: {@code https://<public_host>[:<bound port>]/v1/login/sso/callback}, the port left out
 *     when it is 443
 */
public record AuthSettings(
    boolean localEnabled,
    Duration credentialTtl,
    int maxFailedLogins,
    Duration failedLoginWindow,
    Optional<OidcSettings> oidc,
    Optional<URI> oidcRedirectUrl) {
  /** Where the provider sends the browser back, under the proxy's own host. */
  public static final String SSO_CALLBACK_PATH = "/v1/login/sso/callback";

  public static final Duration DEFAULT_CREDENTIAL_TTL = Duration.ofHours(12);
  public static final Duration MAX_CREDENTIAL_TTL = Duration.ofDays(7);
  public static final int DEFAULT_MAX_FAILED_LOGINS = 5;
  public static final Duration DEFAULT_FAILED_LOGIN_WINDOW = Duration.ofMinutes(5);

  public AuthSettings {
    Objects.requireNonNull(credentialTtl, "credentialTtl");
    Objects.requireNonNull(failedLoginWindow, "failedLoginWindow");
    Objects.requireNonNull(oidc, "oidc");
    Objects.requireNonNull(oidcRedirectUrl, "oidcRedirectUrl");
  }

  /** Password login only, with the other defaults. */
  public static AuthSettings defaults() {
    return new AuthSettings(
        true,
        DEFAULT_CREDENTIAL_TTL,
        DEFAULT_MAX_FAILED_LOGINS,
        DEFAULT_FAILED_LOGIN_WINDOW,
        Optional.empty(),
        Optional.empty());
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
    ConfigNode oidcNode = auth.object("oidc");
    Optional<OidcSettings> oidc = Optional.empty();
    Optional<URI> redirect = Optional.empty();
    if (oidcNode.isPresent()) {
      oidc = Optional.ofNullable(OidcSettings.read(oidcNode));
      redirect = oidcNode.value("redirect_url", AuthSettings::redirectUrl);
    }
    return new AuthSettings(local, ttl, failures, window, oidc, redirect);
  }

  /** The callback must be the proxy's own, over https, at {@value #SSO_CALLBACK_PATH}. */
  private static URI redirectUrl(String text) {
    URI uri = ValueParser.uri("https").parse(text);
    if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "invalid redirect URL '" + text + "': no query, fragment, user name or password");
    }
    if (!SSO_CALLBACK_PATH.equals(uri.getPath())) {
      throw new IllegalArgumentException(
          "the redirect URL must end in the proxy's callback path "
              + SSO_CALLBACK_PATH
              + ", got '"
              + uri.getPath()
              + "'");
    }
    return uri;
  }
}
