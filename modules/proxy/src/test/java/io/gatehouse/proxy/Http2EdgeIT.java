package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.config.HostPort;
import io.gatehouse.pki.Pem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The web port speaks HTTP/2 to clients that offer it by ALPN (browsers, curl, the JDK's client)
 * and HTTP/1.1 to the rest, on the same TLS port: the API, the host check and app traffic work over
 * HTTP/2 as over HTTP/1.1, the app sees an HTTP/1.1 request with the {@code Host} the user named
 * (from {@code :authority}) and no pseudo-header, and bodies pass whole both ways.
 */
class Http2EdgeIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  /**
   * What the upstream saw of the last request: method, version, forwarded host, header names, body
   * length.
   */
  private static final AtomicReference<JsonObject> seen = new AtomicReference<>();

  private static final int BIG = 1 << 20;

  private static Proxy proxy;
  private static HttpClient h2;
  private static HttpClient h1;

  @BeforeAll
  static void start() {
    proxy = cluster.proxy("proxy-h2");
    HttpServer upstream =
        web.upstream(
            request ->
                request
                    .body()
                    .onSuccess(
                        body -> {
                          seen.set(
                              new JsonObject()
                                  .put("method", request.method().name())
                                  .put("version", request.version().name())
                                  .put("forwardedHost", request.getHeader("X-Forwarded-Host"))
                                  .put("headers", List.copyOf(request.headers().names()))
                                  .put("body", body.length()));
                          if (request.path().equals("/big")) {
                            request.response().end(Buffer.buffer(new byte[BIG]));
                          } else {
                            request.response().end("hello over " + request.version());
                          }
                        }));
    cluster.app("agent-h2", "web", upstream.actualPort());
    cluster.awaitHealthy(proxy.webAddress(), "app", "web", 1);
    h2 = client(HttpVersion.HTTP_2);
    h1 = client(HttpVersion.HTTP_1_1);
  }

  @AfterAll
  static void stop() {
    Web.await(h2.close());
    Web.await(h1.close());
  }

  private static HttpClient client(HttpVersion version) {
    return web.vertx()
        .createHttpClient(
            new HttpClientOptions()
                .setSsl(true)
                .setUseAlpn(true)
                .setProtocolVersion(version)
                // The host is the request's authority, which the tests vary (evil.example); the
                // certificate's names are another test's concern.
                .setVerifyHost(false)
                .setTrustOptions(
                    new PemTrustOptions()
                        .addCertValue(Buffer.buffer(Pem.certificates(List.of(web.ca()))))));
  }

  @Test
  void theApiAnswersOverHttp2AndHttp1OnTheSamePort() {
    Answer overH2 = send(h2, HttpMethod.GET, "localhost", "/v1/resources", null, Map.of());
    assertThat(overH2.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(overH2.status()).isEqualTo(200);
    assertThat(overH2.body().toString()).contains("\"web\"");

    Answer overH1 = send(h1, HttpMethod.GET, "localhost", "/healthz", null, Map.of());
    assertThat(overH1.version()).isEqualTo(HttpVersion.HTTP_1_1);
    assertThat(overH1.status()).isEqualTo(200);
  }

  @Test
  void anonymousAndForeignAuthorityAreRefusedOverHttp2() {
    Answer anonymous =
        sendAs(null, h2, HttpMethod.GET, "localhost", "/v1/resources", null, Map.of());
    assertThat(anonymous.status()).isEqualTo(401);
    Answer rebound = send(h2, HttpMethod.GET, "evil.example", "/v1/resources", null, Map.of());
    assertThat(rebound.status()).isEqualTo(421);
    assertThat(rebound.body().toString()).contains("misdirected");
  }

  @Test
  void appTrafficOverHttp2ReachesTheAppAsHttp1WithTheUsersHost() {
    Answer first = send(h2, HttpMethod.GET, "web.localhost", "/hello", null, Map.of());
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(first.body().toString()).isEqualTo("hello over HTTP_1_1");
    JsonObject request = seen.get();
    assertThat(request.getString("version")).isEqualTo("HTTP_1_1");
    assertThat(request.getString("forwardedHost")).isEqualTo("web.localhost:" + port());
    List<String> names = request.getJsonArray("headers").stream().map(Object::toString).toList();
    assertThat(names).noneMatch(name -> name.startsWith(":")).contains("Gatehouse-Jwt-Assertion");
    String cookie = first.sessionCookie();
    assertThat(cookie).isNotNull();

    Answer pinned =
        send(
            h2,
            HttpMethod.GET,
            "web.localhost",
            "/again",
            null,
            Map.of("cookie", "gatehouse_session=" + cookie));
    assertThat(pinned.status()).isEqualTo(200);
    assertThat(pinned.sessionCookie()).as("the pinned session keeps its cookie").isNull();
  }

  @Test
  void bodiesPassWholeBothWaysOverHttp2() {
    Buffer upload = Buffer.buffer(new byte[256 * 1024]);
    Answer posted = send(h2, HttpMethod.POST, "web.localhost", "/upload", upload, Map.of());
    assertThat(posted.status()).isEqualTo(200);
    assertThat(seen.get().getInteger("body")).isEqualTo(upload.length());
    assertThat(seen.get().getString("method")).isEqualTo("POST");

    Answer big = send(h2, HttpMethod.GET, "web.localhost", "/big", null, Map.of());
    assertThat(big.status()).isEqualTo(200);
    assertThat(big.body().length()).isEqualTo(BIG);
  }

  private record Answer(int status, HttpVersion version, Buffer body, List<String> cookies) {
    String sessionCookie() {
      for (String c : cookies) {
        if (c.startsWith("gatehouse_session=")) {
          return c.substring("gatehouse_session=".length(), c.indexOf(';'));
        }
      }
      return null;
    }
  }

  private static int port() {
    return proxy.webAddress().port();
  }

  private static Answer send(
      HttpClient client,
      HttpMethod method,
      String host,
      String path,
      Buffer body,
      Map<String, String> headers) {
    return sendAs(web.bearer(), client, method, host, path, body, headers);
  }

  private static Answer sendAs(
      String token,
      HttpClient client,
      HttpMethod method,
      String host,
      String path,
      Buffer body,
      Map<String, String> headers) {
    HostPort at = proxy.webAddress();
    RequestOptions options =
        new RequestOptions()
            .setServer(SocketAddress.inetSocketAddress(at.port(), at.host()))
            .setHost(host)
            .setPort(at.port())
            .setMethod(method)
            .setURI(path);
    if (token != null) {
      options.addHeader(
          host.endsWith(".localhost") ? "Gatehouse-Authorization" : "Authorization",
          "Bearer " + token);
    }
    headers.forEach(options::addHeader);
    return Web.await(
        client
            .request(options)
            .compose(r -> body == null ? r.send() : r.send(body))
            .compose(
                (HttpClientResponse r) ->
                    r.body().map(b -> new Answer(r.statusCode(), r.version(), b, r.cookies()))));
  }
}
