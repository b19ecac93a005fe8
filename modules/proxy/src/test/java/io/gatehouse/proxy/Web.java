package io.gatehouse.proxy;

import io.gatehouse.config.HostPort;
import io.gatehouse.pki.Pem;
import io.gatehouse.pki.TlsContexts;
import io.gatehouse.testkit.PrometheusText;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A blocking HTTP client for tests (the JDK's, HTTP/1.1): any Host header, any proxy, cookies
 * passed by hand. Needs {@code -Djdk.httpclient.allowRestrictedHeaders=host}, set in the pom.
 */
final class Web implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  // Both made on first use, so a client held in a static field starts no thread at class load.
  private Vertx vertx;
  private HttpClient client;
  private X509Certificate ca;
  private final Set<HostPort> tls = ConcurrentHashMap.newKeySet();

  /** The credential requests carry unless told otherwise (the cluster's admin); null: none. */
  private volatile String bearer;

  record Response(int status, HttpHeaders headers, String body) {
    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    String agent() {
      return header("Gatehouse-Agent");
    }

    /** The session id the proxy set, or null. */
    String sessionCookie() {
      for (String c : headers.allValues("Set-Cookie")) {
        if (c.startsWith("gatehouse_session=")) {
          return c.substring("gatehouse_session=".length(), c.indexOf(';'));
        }
      }
      return null;
    }

    JsonObject json() {
      return new JsonObject(body);
    }

    JsonArray array() {
      return new JsonArray(body);
    }
  }

  /** A Vert.x instance for upstream servers and WebSocket clients of the test. */
  synchronized Vertx vertx() {
    if (vertx == null) {
      vertx = Vertx.vertx();
    }
    return vertx;
  }

  /** Trusts {@code ca} (the cluster CA) for every address {@linkplain #tls marked TLS}. */
  synchronized void trust(X509Certificate ca) {
    this.ca = ca;
    this.client = null;
  }

  /** Requests from now on carry {@code token} (null: no credential). */
  void bearer(String token) {
    this.bearer = token;
  }

  /** The credential requests carry, for raw clients (tunnels, WebSockets). */
  String bearer() {
    return bearer;
  }

  /** Marks {@code address} (a proxy's port) as speaking TLS; other addresses are plain HTTP. */
  void tls(HostPort address) {
    tls.add(address);
  }

  /** The cluster CA the client trusts. */
  synchronized X509Certificate ca() {
    return ca;
  }

  /** TLS trusting the cluster CA, for raw clients such as {@code TunnelClient}. */
  synchronized SSLContext tls() {
    return TlsContexts.trusting(ca);
  }

  /** WebSocket client options for a proxy's port: TLS, trusting the cluster CA. */
  synchronized WebSocketClientOptions webSocketOptions() {
    return new WebSocketClientOptions()
        .setSsl(true)
        .setTrustOptions(
            new PemTrustOptions().addCertValue(Buffer.buffer(Pem.certificates(List.of(ca)))));
  }

  /** {@code https://address} for a proxy's port, {@code http://address} for anything else. */
  String base(HostPort address) {
    return (tls.contains(address) ? "https://" : "http://") + address;
  }

  /**
   * The JDK client this one sends with (HTTP/1.1, trusting the cluster CA), for streaming tests.
   */
  HttpClient httpClient() {
    return client();
  }

  private synchronized HttpClient client() {
    if (client == null) {
      HttpClient.Builder b =
          HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT);
      if (ca != null) {
        b.sslContext(TlsContexts.trusting(ca));
      }
      client = b.build();
    }
    return client;
  }

  /** A request to {@code proxy} with {@code Host: host}, with the default credential. */
  Response request(
      HttpMethod method,
      HostPort proxy,
      String host,
      String path,
      String session,
      String contentType,
      String body) {
    return requestAs(bearer, method, proxy, host, path, session, contentType, body);
  }

  /**
   * A request carrying {@code token} (null: none): as {@code Authorization: Bearer} to the proxy's
   * own host, as {@code Gatehouse-Authorization: Bearer} to an app's ({@code *.localhost}).
   */
  Response requestAs(
      String token,
      HttpMethod method,
      HostPort proxy,
      String host,
      String path,
      String session,
      String contentType,
      String body) {
    return send(token, method, proxy, host, path, session, contentType, body, java.util.Map.of());
  }

  /** {@link #requestAs} with extra headers (e.g. {@code Origin}, {@code If-Match}). */
  Response send(
      String token,
      HttpMethod method,
      HostPort proxy,
      String host,
      String path,
      String session,
      String contentType,
      String body,
      java.util.Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base(proxy) + path))
            .timeout(TIMEOUT)
            .header("Host", host)
            .method(
                method.name(),
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      b.header("Cookie", "theme=dark; gatehouse_session=" + session);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (token != null) {
      b.header(
          host.endsWith(".localhost") ? "Gatehouse-Authorization" : "Authorization",
          "Bearer " + token);
    }
    headers.forEach(b::header);
    try {
      HttpResponse<String> r = client().send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers(), r.body());
    } catch (Exception e) {
      throw new AssertionError(method + " " + host + path + " via " + proxy + " failed: " + e, e);
    }
  }

  /**
   * {@code GET path} with {@code Host: host} on a TLS connection of its own, closed after it (so
   * that each lands on another of the proxy's event loops), carrying {@code token} as {@code
   * Gatehouse-Authorization} when not null: the response's status line.
   */
  String statusOnNewConnection(HostPort proxy, String host, String path, String token)
      throws java.io.IOException {
    try (javax.net.ssl.SSLSocket socket =
        (javax.net.ssl.SSLSocket)
            io.gatehouse.pki.TlsContexts.trusting(ca())
                .getSocketFactory()
                .createSocket(proxy.host(), proxy.port())) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      java.io.OutputStream out = socket.getOutputStream();
      out.write(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: "
                  + host
                  + (token == null ? "" : "\r\nGatehouse-Authorization: Bearer " + token)
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
      java.io.BufferedReader in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(
                  socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
      String status = in.readLine();
      while (in.readLine() != null) {
        // Read to the end: the proxy closes after the response.
      }
      return status;
    }
  }

  /** {@code GET path} at {@code address}, e.g. the proxy's API or an agent's metrics port. */
  Response get(HostPort address, String path) {
    return api(HttpMethod.GET, address, path);
  }

  /** An HTTP server on a free loopback port, for an agent to relay to; closed with the client. */
  HttpServer upstream(Handler<HttpServerRequest> requests) {
    return await(vertx().createHttpServer().requestHandler(requests).listen(0, "127.0.0.1"));
  }

  /** An upstream that also accepts WebSocket upgrades. */
  HttpServer upstream(Handler<HttpServerRequest> requests, Handler<ServerWebSocket> webSockets) {
    return await(
        vertx()
            .createHttpServer()
            .requestHandler(requests)
            .webSocketHandler(webSockets)
            .listen(0, "127.0.0.1"));
  }

  Response app(HostPort proxy, String app, String path, String session) {
    return request(HttpMethod.GET, proxy, app + ".localhost", path, session, null, null);
  }

  Response api(HttpMethod method, HostPort proxy, String path) {
    return request(method, proxy, proxy.toString(), path, null, null, null);
  }

  Response post(HostPort proxy, String path, String contentType, String body) {
    return request(HttpMethod.POST, proxy, proxy.toString(), path, null, contentType, body);
  }

  /** Scrapes {@code GET /metrics} at {@code address} and parses it strictly. */
  PrometheusText metrics(HostPort address) {
    Response r = get(address, "/metrics");
    if (r.status() != 200 || !r.header("Content-Type").startsWith("text/plain; version=0.0.4")) {
      throw new AssertionError(
          "GET "
              + base(address)
              + "/metrics answered "
              + r.status()
              + " "
              + r.header("Content-Type")
              + ": "
              + r.body());
    }
    return PrometheusText.parse(r.body());
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage()
          .toCompletableFuture()
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("failed: " + e, e);
    }
  }

  @Override
  public synchronized void close() {
    if (vertx != null) {
      await(vertx.close());
      vertx = null;
    }
  }
}
