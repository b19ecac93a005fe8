package io.gatehouse.proxy;

import static io.gatehouse.proxy.Cluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.Agent;
import io.gatehouse.config.HostPort;
import io.gatehouse.proxy.session.SessionKeys;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard's server side against a real broker, proxy and agents: the page and its files with
 * their types and security headers, served to anyone while its data needs a login; a login link
 * traded for the cookie the page then runs on; and the {@code status} event of {@code /v1/events}
 * that tells the page about changes no record announces.
 */
class DashboardIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  private static final String COOKIE = "__Host-gatehouse";

  private static HttpServer upstream;
  private static Proxy proxyInstance;
  private static HostPort proxy;

  @BeforeAll
  static void start() {
    upstream = web.upstream(req -> req.response().end("hello"));
    proxyInstance = cluster.proxy("proxy-dash");
    proxy = proxyInstance.webAddress();
    cluster.app("web-1", "web", upstream.actualPort());
    cluster.awaitReady(proxy);
    Eventually.within(WAIT).until(() -> web.get(proxy, "/v1/resources/app/web").status() == 200);
  }

  @Test
  void rootServesThePageWithItsScriptUnderAStrictPolicy() {
    Web.Response page = web.get(proxy, "/");

    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
    assertThat(page.body())
        .contains(
            "<script type=\"module\" src=\"/dashboard/app.js\"></script>",
            "/dashboard/style.css",
            "<noscript>",
            "/v1/events",
            "data-testid=\"login-view\"");
    assertThat(page.body()).doesNotContain("<script>");
    assertThat(page.header("Content-Security-Policy"))
        .startsWith("default-src 'self';")
        .contains("frame-ancestors 'none'");
    assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(page.header("Cache-Control")).isEqualTo("no-cache");
    assertThat(page.header("ETag")).isNotBlank();
  }

  @Test
  void staticFilesLoadWithTheirTypesAndRevalidateByETag() throws Exception {
    assertThat(web.get(proxy, "/dashboard/app.js").header("Content-Type"))
        .isEqualTo("text/javascript; charset=utf-8");
    assertThat(web.get(proxy, "/dashboard/style.css").header("Content-Type"))
        .isEqualTo("text/css; charset=utf-8");
    assertThat(web.get(proxy, "/dashboard/favicon.svg").header("Content-Type"))
        .isEqualTo("image/svg+xml");
    Web.Response script = web.get(proxy, "/dashboard/app.js");
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.body()).contains("new EventSource('/v1/events')");

    HttpResponse<String> again =
        web.httpClient()
            .send(
                HttpRequest.newBuilder(URI.create(web.base(proxy) + "/dashboard/app.js"))
                    .header("If-None-Match", script.header("ETag"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();

    Web.Response missing = web.get(proxy, "/dashboard/nope.js");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().getString("code")).isEqualTo("not-found");
  }

  @Test
  void thePageIsServedToAnyoneButItsDataNeedsALogin() {
    for (String path : List.of("/", "/dashboard/app.js", "/dashboard/style.css")) {
      assertThat(anonymous(path, Map.of()).status()).as(path).isEqualTo(200);
    }
    for (String path : List.of("/v1/whoami", "/v1/resources", "/v1/agents", "/v1/events")) {
      Web.Response refused = anonymous(path, Map.of());
      assertThat(refused.status()).as(path).isEqualTo(401);
      assertThat(refused.json().getString("code")).isEqualTo("unauthenticated");
    }
  }

  @Test
  void aLoginLinkSetsTheCookieThePageRunsOnOnce() {
    String link =
        "/v1/login/link?code="
            + proxyInstance.accounts().loginLinkCode(Cluster.ADMIN, Duration.ofMinutes(15));

    Web.Response opened = anonymous(link, Map.of());

    assertThat(opened.status()).isEqualTo(303);
    assertThat(opened.header("Location")).isEqualTo("/");
    String setCookie = opened.header("Set-Cookie");
    assertThat(setCookie)
        .startsWith(COOKIE + "=")
        .contains("; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    // What the page asks first, with nothing but the cookie: the dashboard's user.
    Web.Response whoami = anonymous("/v1/whoami", Map.of("Cookie", cookie));
    assertThat(whoami.status()).as(whoami.body()).isEqualTo(200);
    assertThat(whoami.json().getString("user")).isEqualTo(Cluster.ADMIN);
    assertThat(whoami.json().getString("csrf")).isNotBlank();
    assertThat(anonymous("/v1/resources", Map.of("Cookie", cookie)).status()).isEqualTo(200);
    // Once per proxy.
    assertThat(anonymous(link, Map.of()).status()).isEqualTo(401);
  }

  @Test
  void aDeleteWithTheCookieNeedsTheCsrfTokenAndThePagesOrigin() {
    String link =
        "/v1/login/link?code="
            + proxyInstance.accounts().loginLinkCode(Cluster.ADMIN, Duration.ofMinutes(15));
    String setCookie = anonymous(link, Map.of()).header("Set-Cookie");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    String csrf = anonymous("/v1/whoami", Map.of("Cookie", cookie)).json().getString("csrf");
    String path = "/v1/resources/app/never-made";

    Web.Response forged = deleteAs(path, Map.of("Cookie", cookie));
    assertThat(forged.status()).as(forged.body()).isEqualTo(403);
    assertThat(forged.body()).contains("Gatehouse-Csrf");
    Web.Response foreign =
        deleteAs(
            path,
            Map.of("Cookie", cookie, "Gatehouse-Csrf", csrf, "Origin", "https://evil.example"));
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(foreign.body()).contains("another origin");
    // Past both checks: the resource was never made, so nothing is there to delete.
    Web.Response own = deleteAs(path, Map.of("Cookie", cookie, "Gatehouse-Csrf", csrf));
    assertThat(own.status()).as(own.body()).isEqualTo(404);
  }

  private static Web.Response deleteAs(String path, Map<String, String> headers) {
    return web.send(
        null, HttpMethod.DELETE, proxy, proxy.toString(), path, null, null, null, headers);
  }

  /** A GET of the proxy's own host with no credential but what {@code headers} carry. */
  private static Web.Response anonymous(String path, Map<String, String> headers) {
    return web.send(null, HttpMethod.GET, proxy, proxy.toString(), path, null, null, null, headers);
  }

  @Test
  void eventsBeginWithStatusAndReportAnAgentThatDiedWithoutGoodbye() throws Exception {
    Agent doomed = cluster.app("web-doomed", "web", upstream.actualPort());
    cluster.awaitHealthy(proxy, "app", "web", 2);

    // Filtered to resources: the status event comes regardless of the filter.
    try (EventReader events = EventReader.open(proxy, "/v1/events?topics=resources")) {
      Event first = events.next();
      assertThat(first.name()).isEqualTo("status");
      JsonObject status = first.json();
      assertThat(status.fieldNames())
          .containsExactlyInAnyOrder(
              "proxy", "caughtUp", "kafkaReachable", "seenUpTo", "healthDigest");
      assertThat(status.getString("proxy")).isEqualTo("proxy-dash");
      assertThat(status.getBoolean("caughtUp")).isTrue();
      assertThat(status.getBoolean("kafkaReachable")).isTrue();

      // A crash writes no record: only the agent's beat going stale (3 s TTL) tells of it. The
      // first
      // status may predate the second agent by up to half a second, so a status of the 2/2 table
      // may come first; the one that counts is sent once the API, too, reports the agent gone. The
      // deadline is shorter than the 15 s refresh, so only a change can have sent it.
      doomed.kill();

      Event changed =
          events.nextMatching(
              Duration.ofSeconds(12),
              e ->
                  e.name().equals("status")
                      && !e.json()
                          .getString("healthDigest")
                          .equals(status.getString("healthDigest"))
                      && web.get(proxy, "/v1/resources/app/web").json().getInteger("healthyAgents")
                          == 1);
      assertThat(changed.json().getBoolean("caughtUp")).isTrue();
    }
  }

  @Test
  void eventsShowSessionsByTheirShortIdOnly() throws Exception {
    try (EventReader events = EventReader.open(proxy, "/v1/events?topics=sessions,audit")) {
      assertThat(events.next().name()).isEqualTo("status");

      String cookie = web.app(proxy, "web", "/", null).sessionCookie();

      assertThat(cookie).hasSizeGreaterThan(8);
      // The pin and its audit event are on two topics: either may come first.
      Map<String, Event> firstOfEach = new HashMap<>();
      while (!firstOfEach.keySet().containsAll(List.of("sessions", "audit"))) {
        Event e = events.nextMatching(x -> x.name().equals("sessions") || x.name().equals("audit"));
        firstOfEach.putIfAbsent(e.name(), e);
      }
      Event session = firstOfEach.get("sessions");
      Event audit = firstOfEach.get("audit");
      String shortId = SessionKeys.shortId(cluster.sessionKey(cookie));
      assertThat(session.json().getString("key")).isEqualTo(shortId);
      assertThat(session.json().getJsonObject("value").getString("sessionId")).isEqualTo(shortId);
      assertThat(audit.json().getJsonObject("value").getString("sessionId")).isEqualTo(shortId);
      assertThat(session.data() + audit.data())
          .doesNotContain(cookie)
          .doesNotContain(cookie.substring(0, 8));
    }
  }

  record Event(String name, String data) {
    JsonObject json() {
      return new JsonObject(data);
    }
  }

  /**
   * Reads server-sent events on a thread of its own into a queue the test takes from with a
   * deadline.
   */
  private static final class EventReader implements AutoCloseable {
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final InputStream body;

    private EventReader(InputStream body) {
      this.body = body;
      Thread reader = new Thread(this::read, "sse-reader");
      reader.setDaemon(true);
      reader.start();
    }

    static EventReader open(HostPort proxy, String path) throws Exception {
      HttpResponse<InputStream> response =
          web.httpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(web.base(proxy) + path))
                      .header("Accept", "text/event-stream")
                      .header("Authorization", "Bearer " + web.bearer())
                      .build(),
                  HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      return new EventReader(response.body());
    }

    private void read() {
      try (BufferedReader lines =
          new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
        String name = null;
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.startsWith("event: ")) {
            name = line.substring(7);
          } else if (line.startsWith("data: ")) {
            events.add(new Event(name, line.substring(6)));
          }
        }
      } catch (IOException e) {
        // The test closed the stream; a stream that broke early shows as a missing event instead.
      }
    }

    Event next() throws InterruptedException {
      Event e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(e).as("an event within " + WAIT).isNotNull();
      return e;
    }

    Event nextMatching(java.util.function.Predicate<Event> wanted) throws InterruptedException {
      return nextMatching(WAIT, wanted);
    }

    Event nextMatching(Duration within, java.util.function.Predicate<Event> wanted)
        throws InterruptedException {
      long deadline = System.nanoTime() + within.toNanos();
      while (true) {
        Event e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        assertThat(e).as("a matching event within " + within).isNotNull();
        if (wanted.test(e)) {
          return e;
        }
      }
    }

    @Override
    public void close() throws IOException {
      body.close();
    }
  }
}
