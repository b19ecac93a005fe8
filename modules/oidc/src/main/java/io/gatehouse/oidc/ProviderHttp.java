package io.gatehouse.oidc;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sends the SDK's requests to the provider with one timeout and one trust, never following
 * redirects.
 */
final class ProviderHttp {
  private final SSLSocketFactory sockets;
  private final int timeoutMillis;

  /**
   * @param trust the TLS context whose trust decides which provider certificates are accepted;
   *     {@code null} for the JDK's default trust store
   */
  ProviderHttp(SSLContext trust, Duration timeout) {
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("the timeout must be longer than zero, got " + timeout);
    }
    this.sockets = trust == null ? null : trust.getSocketFactory();
    this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
  }

  /**
   * Sends {@code request}, waiting at most the timeout to connect and again to read.
   *
   * @param what the endpoint's name in an error, e.g. {@code "token endpoint"}
   */
  HTTPResponse send(HTTPRequest request, String what) {
    request.setConnectTimeout(timeoutMillis);
    request.setReadTimeout(timeoutMillis);
    request.setFollowRedirects(false);
    if (sockets != null) {
      request.setSSLSocketFactory(sockets);
    }
    try {
      return request.send();
    } catch (IOException e) {
      throw new OidcException(
          "cannot reach the provider's " + what + " at " + where(request.getURL()) + ": " + e, e);
    }
  }

  /** The URL without its query: for a GET, the query could carry what is not ours to print. */
  static String where(URL url) {
    try {
      URI uri = url.toURI();
      return new URI(uri.getScheme(), uri.getAuthority(), uri.getPath(), null, null).toString();
    } catch (java.net.URISyntaxException e) {
      return url.getProtocol() + "://" + url.getAuthority() + url.getPath();
    }
  }

  static String where(URI uri) {
    try {
      return where(uri.toURL());
    } catch (java.net.MalformedURLException | IllegalArgumentException e) {
      return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
    }
  }
}
