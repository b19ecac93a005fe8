package io.gatehouse.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.profile.Profile;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * The proxy's REST API as the CLI uses it, over HTTPS trusting the profile's CA file only (host
 * name checked), with the profile's token as {@code Authorization: Bearer} when it has one. Every
 * failure becomes a {@link CliException}: an unreachable proxy, or one whose certificate does not
 * verify, exits 2 naming its address; a 4xx exits 1 with the proxy's reason.
 */
public final class ProxyClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Profile profile;
  private final URI base;
  private final HttpClient http;

  /**
   * A client for the proxy of {@code profile}.
   *
   * @throws CliException (exit 1) when the CA file is missing or not a CA certificate
   */
  public ProxyClient(Profile profile) {
    this.profile = profile;
    String url = profile.proxy().toString();
    this.base = URI.create(url.endsWith("/") ? url : url + "/");
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(3))
            .sslContext(ProxyTrust.context(profile))
            .build();
  }

  public URI base() {
    return base;
  }

  public JsonNode get(String path) {
    return send(HttpRequest.newBuilder(resolve(path)).GET(), path);
  }

  public JsonNode post(String path, String contentType, String body) {
    return send(
        HttpRequest.newBuilder(resolve(path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body)),
        path);
  }

  /** {@code POST} with extra headers (e.g. {@code If-Match}). */
  public JsonNode post(String path, String contentType, String body, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(resolve(path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return send(b, path);
  }

  /** {@code PUT} with extra headers (e.g. {@code If-Match}). */
  public JsonNode put(String path, String contentType, String body, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(resolve(path))
            .header("Content-Type", contentType)
            .PUT(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return send(b, path);
  }

  public JsonNode delete(String path) {
    return send(HttpRequest.newBuilder(resolve(path)).DELETE(), path);
  }

  private URI resolve(String path) {
    return base.resolve(path.startsWith("/") ? path.substring(1) : path);
  }

  private JsonNode send(HttpRequest.Builder request, String path) {
    profile.token().ifPresent(token -> request.header("Authorization", "Bearer " + token));
    HttpResponse<String> response;
    try {
      response =
          http.send(
              request.timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw CliException.unreachable(
          "cannot reach proxy at " + base + " (" + e.getClass().getSimpleName() + ")", e);
    } catch (IOException e) {
      if (causedBy(e, SSLException.class)) {
        throw CliException.unreachable(
            "proxy at "
                + base
                + " is not trusted: its certificate does not verify against "
                + profile
                    .caFile()
                    .map(f -> "the CA file " + f)
                    .orElse(
                        "the system's trust store (a proxy showing its cluster CA's certificate"
                            + " needs --ca-file FILE or ca_file in the profile; gatehouse dev"
                            + " writes <data-dir>/ca/ca.crt and <data-dir>/admin.profile)")
                + " ("
                + ProxyTrust.reason(e)
                + ")",
            e);
      }
      throw CliException.unreachable("cannot reach proxy at " + base + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.USER_ERROR, "interrupted");
    }
    String body = response.body();
    int status = response.statusCode();
    if (status >= 400) {
      throw new CliException(
          status >= 500 && status != 502 && status != 503
              ? ExitCodes.UNREACHABLE
              : ExitCodes.USER_ERROR,
          reason(status, body) + " (" + request.build().method() + " " + path + ")");
    }
    if (body == null || body.isBlank()) {
      return JSON.nullNode();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw CliException.unreachable(
          "proxy at " + base + " answered " + path + " with something that is not JSON", e);
    }
  }

  private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** The proxy's own one-line reason: {@code {"error": "..."}} or the plain body. */
  private static String reason(int status, String body) {
    if (body != null && !body.isBlank()) {
      try {
        JsonNode node = JSON.readTree(body);
        for (String field : new String[] {"error", "message", "reason"}) {
          if (node.hasNonNull(field)) {
            return node.get(field).asText();
          }
        }
      } catch (IOException e) {
        return body.strip().lines().findFirst().orElse("HTTP " + status);
      }
      return body.strip().lines().findFirst().orElse("HTTP " + status);
    }
    return "HTTP " + status;
  }
}
