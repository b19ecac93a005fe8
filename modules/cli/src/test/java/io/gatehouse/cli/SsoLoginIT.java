package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.cli.profile.Profile;
import io.gatehouse.lifecycle.Closer;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.TlsContexts;
import io.gatehouse.proxy.Proxy;
import io.gatehouse.proxy.config.ProxyConfig;
import io.gatehouse.testkit.KafkaBrokerExtension;
import java.io.BufferedReader;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse login --sso} end to end, in this JVM: a real broker, proxy and OpenID Connect
 * provider (mock-oauth2-server); the test is the browser, opening the URL the command prints and
 * following every redirect by hand, with the proxy's cookie, to the command's loopback listener,
 * which gets a one-time code the command trades for its credential.
 */
class SsoLoginIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
  @TempDir static Path dir;

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Closer closer = new Closer();
  private static MockOAuth2Server provider;
  private static Proxy proxy;
  private static Path caFile;
  private static HttpClient browser;

  @BeforeAll
  static void start() {
    provider = new MockOAuth2Server();
    provider.start(InetAddress.getLoopbackAddress(), 0);
    Path caDir = dir.resolve("ca");
    ClusterCa ca = ClusterCa.init(caDir, Clock.systemUTC(), new SecureRandom());
    caFile = caDir.resolve(ClusterCa.CERT_FILE);
    browser =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .sslContext(TlsContexts.trusting(ca.certificate()))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    ProxyConfig config =
        ProxyConfig.parse(
            """
            proxy:
              id: proxy-sso-cli
              kafka: { bootstrap: "%s" }
              data_dir: "%s"
              ca: { dir: "%s" }
              listen: "127.0.0.1:0"
              public_host: localhost
              topic_prefix: %s
              auth: { oidc: { issuer: "%s", client_id: gatehouse, claim_roles: { ops: [admin] } } }
            """
                .formatted(
                    kafka.bootstrapServers(),
                    dir.resolve("proxy"),
                    caDir,
                    kafka.uniquePrefix("sso").replaceAll("\\.$", ""),
                    provider.issuerUrl("default")),
            "proxy.yaml");
    proxy = closer.register(Proxy.start(config));
  }

  @AfterAll
  static void stop() {
    closer.close(e -> new IllegalStateException("closing the SSO cluster failed", e));
    provider.shutdown();
  }

  private static HttpResponse<String> get(URI uri, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15)).GET();
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return browser.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI location(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isIn(302, 303);
    return r.uri().resolve(r.headers().firstValue("Location").orElseThrow());
  }

  @Test
  void loginBySsoWritesTheProfileWithACredentialOfTheMappedRoles() throws Exception {
    provider.enqueueCallback(
        new DefaultOAuth2TokenCallback(
            "default",
            "sub-olga",
            "JWT",
            null,
            Map.of("preferred_username", "olga", "groups", List.of("ops")),
            3600));
    Path profile = dir.resolve("profile.yaml");
    String url = "https://localhost:" + proxy.webAddress().port();
    PipedWriter pipe = new PipedWriter();
    BufferedReader printed = new BufferedReader(new PipedReader(pipe, 64 * 1024));
    StringWriter err = new StringWriter();
    PrintWriter out = new PrintWriter(pipe, true);
    CompletableFuture<Integer> login =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return Main.run(
                    out,
                    new PrintWriter(err, true),
                    "login",
                    "--sso",
                    "--no-browser",
                    "--timeout",
                    "1m",
                    "--proxy",
                    url,
                    "--ca-file",
                    caFile.toString(),
                    "--profile",
                    profile.toString());
              } finally {
                out.close();
              }
            });
    assertThat(printed.readLine()).startsWith("To log in, open");
    URI open = URI.create(printed.readLine());
    assertThat(open.toString()).startsWith(url + "/v1/login/sso?cli=").contains("&challenge=");

    HttpResponse<String> started = get(open, null);
    String cookie = started.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
    URI back = location(get(location(started), null));
    URI toCli = location(get(back, cookie));
    assertThat(toCli.toString()).startsWith("http://127.0.0.1:").contains("/callback?code=");
    assertThat(toCli.getRawQuery()).doesNotContain("&", "token");
    HttpResponse<String> page = get(toCli, null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("You may close this window");

    assertThat(login.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(err.toString()).isZero();
    String rest = printed.readLine();
    assertThat(rest).contains("as olga by single sign-on (roles admin)");
    Profile written = Profile.read(profile);
    assertThat(written.token()).isPresent();
    // What the browser was sent to (and keeps in its history) is not the credential.
    assertThat(toCli.toString()).doesNotContain(written.token().get());
    // Nor can whoever reads that history trade the code: the verifier never left the command.
    String code = toCli.getRawQuery().substring("code=".length());
    HttpResponse<String> stolen =
        browser.send(
            HttpRequest.newBuilder(URI.create(url + "/v1/login/sso/exchange"))
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"code\": \""
                            + java.net.URLDecoder.decode(
                                code, java.nio.charset.StandardCharsets.UTF_8)
                            + "\", \"verifier\": \""
                            + "a-guess-at-the-verifier-0123456789abcdefghij"
                            + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(stolen.statusCode()).as(stolen.body()).isEqualTo(401);
    assertThat(stolen.body()).contains("verifier does not match").doesNotContain(code);
    assertThat(written.proxy()).isEqualTo(URI.create(url));
  }
}
