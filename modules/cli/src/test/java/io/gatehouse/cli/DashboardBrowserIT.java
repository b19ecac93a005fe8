package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.cli.dev.DevStack;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.TlsContexts;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's headless Chromium through chromedriver) against dev
 * mode with two agents: an anonymous browser gets the login form, a wrong password the proxy's
 * error, the right one the dashboard; logged in, it lists {@code app/demo} once with both agents,
 * follows an agent's stop, a new resource, a new session, Kafka going away and coming back, and a
 * proxy restart live, on the same page, without a reload. A user of a narrower role sees only what
 * it allows; a credential that stops counting brings the form back; dev mode's login link logs in.
 * Screenshots land in {@code target/dashboard/} for people to look at ({@code dashboard.png},
 * {@code dashboard-phone.png}, {@code dashboard-login.png}, {@code
 * dashboard-kafka-unreachable.png}, {@code dashboard-disconnected.png}; {@code failure.png} when a
 * wait timed out).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path CERTUTIL = Path.of("/usr/bin/certutil");
  private static final Path SHOTS = Path.of("target", "dashboard");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DEMO_ROW = "[data-testid=resource-row][data-key='app/demo']";
  private static final String COOKIE = "__Host-gatehouse";
  private static final String CAROL_PASSWORD = "carol's long password";
  private static final String DAVE_PASSWORD = "dave's long password";

  @TempDir static Path dir;
  static DevStack.Settings settings;
  static DevStack stack;
  static WebDriver browser;

  @BeforeAll
  static void start() throws IOException {
    List<Path> missing =
        java.util.stream.Stream.of(CHROMIUM, CHROMEDRIVER, CERTUTIL)
            .filter(p -> !Files.isExecutable(p))
            .toList();
    assertThat(missing)
        .as(
            "DashboardBrowserIT drives Debian's headless Chromium, trusting the dev CA through NSS; install the"
                + " packages 'chromium', 'chromium-driver' and 'libnss3-tools' (apt-get install chromium"
                + " chromium-driver libnss3-tools; bin/test does this)")
        .isEmpty();
    Files.createDirectories(SHOTS);
    // Fixed ports: the restart step brings the proxy (and the broker its state points at) back
    // where they were.
    settings = new DevStack.Settings(freePort(), freePort(), dir.resolve("data"), 2, 0, 0);
    stack = DevStack.start(settings, line -> {});
    stack.awaitReady(Duration.ofSeconds(60));
    browser = chromium();
    HttpResponse<String> carol =
        asAdmin(
            "POST",
            "/v1/users",
            "application/json",
            "{\"name\": \"carol\", \"roles\": [\"admin\"], \"password\": \""
                + CAROL_PASSWORD
                + "\"}");
    assertThat(carol.statusCode()).as(carol.body()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (stack != null) {
      stack.close();
    }
  }

  /**
   * Chromium trusts the dev CA as a person's browser would once they imported it: as an authority
   * in the NSS database of its (throw-away) home, so the proxy's certificate is verified for real,
   * host name included. No certificate error is ignored, and a restarted proxy's new certificate
   * from the same CA is trusted too.
   */
  private static Path homeTrustingTheDevCa() throws IOException {
    Path home = Files.createTempDirectory(dir, "chromium-home");
    Path nssdb = Files.createDirectories(home.resolve(".pki").resolve("nssdb"));
    certutil("-N", "-d", "sql:" + nssdb, "--empty-password");
    certutil(
        "-A",
        "-d",
        "sql:" + nssdb,
        "-t",
        "C,,",
        "-n",
        "gatehouse-dev-ca",
        "-i",
        stack.caFile().toString());
    return home;
  }

  private static void certutil(String... args) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of(CERTUTIL.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("certutil " + String.join(" ", args) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running certutil", e);
    }
  }

  private static WebDriver chromium() throws IOException {
    Path home = homeTrustingTheDevCa();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"),
        "--window-size=1280,900");
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    // An explicit driver: Selenium Manager never looks for (or downloads) one.
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withEnvironment(Map.of("HOME", home.toString()))
            .build();
    return new ChromeDriver(service, options);
  }

  @Test
  @Order(1)
  void anAnonymousBrowserGetsTheLoginFormAndAWrongPasswordTheProxysError() {
    browser.get(stack.webUrl() + "/");
    ((ChromeDriver) browser).executeScript("window.__marker = 1");
    // Loaded over verified TLS: an untrusted certificate would have shown Chromium's error page.
    assertThat(((ChromeDriver) browser).executeScript("return location.protocol"))
        .isEqualTo("https:");
    assertThat(((ChromeDriver) browser).executeScript("return window.isSecureContext"))
        .isEqualTo(true);

    waitFor("the login form", d -> shown(d, "login-form"));
    assertThat(shown(browser, "dashboard")).as("the dashboard, without a login").isFalse();
    assertThat(shown(browser, "who")).isFalse();
    screenshot("dashboard-login.png");

    logInThroughTheForm("carol", "not carol's password");
    waitFor(
        "the proxy's error in the form",
        d ->
            shown(d, "login-error")
                && testId(d, "login-error").getText().equals("wrong user name or password"));
    assertThat(shown(browser, "dashboard")).isFalse();
    assertThat(browser.manage().getCookieNamed(COOKIE))
        .as("no cookie for a wrong password")
        .isNull();
    assertNoReload();
  }

  @Test
  @Order(2)
  void loggingInThroughTheFormShowsTheUserTheirRolesAndTheDashboard() {
    logInThroughTheForm("carol", CAROL_PASSWORD);

    waitFor(
        "carol and her role in the header",
        d ->
            shown(d, "who")
                && testId(d, "who-user").getText().equals("carol")
                && testId(d, "who-roles").getText().equals("admin"));
    assertThat(shown(browser, "dashboard")).isTrue();
    assertThat(shown(browser, "login-view")).isFalse();
    assertThat(browser.manage().getCookieNamed(COOKIE).isHttpOnly()).isTrue();
    assertThat(browser.manage().getCookieNamed(COOKIE).isSecure()).isTrue();
    // The credential is HttpOnly: the page's script cannot read it.
    assertThat(((ChromeDriver) browser).executeScript("return document.cookie"))
        .asString()
        .doesNotContain(COOKIE);
    assertNoReload();
    // Chromium logs the expected refusals (whoami before the login, the wrong password) as
    // errors; anything else (a blocked script or style) is a failure, and the console test later
    // checks what comes after this.
    assertThat(severeConsoleEntries())
        .allSatisfy(
            e ->
                assertThat(e.getMessage())
                    .containsAnyOf("/v1/whoami", "/v1/login")
                    .contains("401"));
  }

  @Test
  @Order(3)
  void resourcesViewListsDemoOnceWithBothAgents() {
    waitFor(
        "app/demo listed once, 2/2, with both agents",
        d -> {
          List<WebElement> rows = d.findElements(By.cssSelector(DEMO_ROW));
          return rows.size() == 1
              && healthy(rows.get(0)).equals("2/2")
              && agentsOf(rows.get(0)).equals(List.of("dev-agent-1", "dev-agent-2"));
        });

    assertThat(browser.findElements(By.cssSelector(DEMO_ROW))).hasSize(1);
    assertThat(browser.findElements(By.cssSelector("[data-testid=agent-row]"))).hasSize(2);
    // Each agent's chip says what its checks find of the upstream behind it (issue 16).
    waitFor(
        "both agents' demo upstream shown healthy by their checks",
        d ->
            d.findElements(By.cssSelector(DEMO_ROW + " [data-testid=resource-agent]")).stream()
                .map(a -> a.getDomAttribute("data-target"))
                .toList()
                .equals(List.of("healthy", "healthy")));
    assertThat(
            browser
                .findElement(By.cssSelector(DEMO_ROW + " [data-testid=resource-agent]"))
                .getDomAttribute("title"))
        .contains("target healthy");
    assertNoReload();
  }

  @Test
  @Order(4)
  void stoppingAnAgentUpdatesTheHealthyCountWithoutReload() {
    stack.agents().get(0).close();

    // Whatever the API says once one agent is left (1/1 after the goodbye), the page says too.
    waitFor(
        "the page shows what the API shows for app/demo, with one healthy agent",
        d -> {
          String shown = healthy(d.findElement(By.cssSelector(DEMO_ROW)));
          return shown.startsWith("1/") && shown.equals(apiHealthy("app", "demo"));
        });
    assertNoReload();
  }

  @Test
  @Order(5)
  void creatingAResourceThroughTheApiMakesItAppear() throws Exception {
    HttpResponse<String> created =
        asAdmin(
            "POST",
            "/v1/resources",
            "application/yaml",
            """
            kind: app
            version: v1
            metadata: { name: dash-hello, labels: { env: dev, team: dash } }
            spec: { uri: "http://127.0.0.1:%d" }
            """
                .formatted(stack.demoHttpPort()));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

    waitFor(
        "app/dash-hello listed",
        d ->
            d.findElements(By.cssSelector("[data-testid=resource-row][data-key='app/dash-hello']"))
                    .size()
                == 1);
    waitFor(
        "its audit event in the feed",
        d ->
            d
                .findElements(
                    By.cssSelector("[data-testid=audit-row][data-type='resource.create']"))
                .stream()
                .anyMatch(row -> row.getText().contains("app/dash-hello")));
    assertNoReload();
  }

  @Test
  @Order(6)
  void filtersNarrowTheResourcesByLabelTextAndKind() {
    WebElement label = browser.findElement(By.cssSelector("[data-testid=filter-label]"));
    WebElement text = browser.findElement(By.cssSelector("[data-testid=filter-text]"));
    Select kind = new Select(browser.findElement(By.cssSelector("[data-testid=filter-kind]")));

    label.sendKeys("team=dash");
    waitFor(
        "only app/dash-hello under team=dash",
        d -> shownResources(d).equals(List.of("app/dash-hello")));
    retype(label, "");
    text.sendKeys("echo");
    waitFor(
        "only app/echo for the text 'echo'", d -> shownResources(d).equals(List.of("app/echo")));
    retype(text, "");
    kind.selectByValue("db");
    waitFor("no resource of kind db", d -> shownResources(d).isEmpty());
    kind.selectByValue("");
    waitFor("all three resources again", d -> shownResources(d).size() == 3);
    assertNoReload();
  }

  private static List<String> shownResources(WebDriver d) {
    return d.findElements(By.cssSelector("[data-testid=resource-row]")).stream()
        .filter(WebElement::isDisplayed)
        .map(row -> row.getDomAttribute("data-key"))
        .sorted()
        .toList();
  }

  /** Replaces an input's text the way a person does, so the page sees input events. */
  private static void retype(WebElement input, String value) {
    input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
    input.sendKeys(value);
  }

  @Test
  @Order(7)
  void aNewSessionAppearsInTheSessionsView() throws IOException {
    assertThat(curlDemo().status()).isEqualTo(200);

    waitFor(
        "a session on app/demo",
        d ->
            d.findElements(By.cssSelector("[data-testid=session-row]")).stream()
                .anyMatch(row -> row.getText().contains("app/demo")));
    assertNoReload();
  }

  @Test
  @Order(8)
  void bannerIsHiddenWhenCaughtUpAndTheConsoleHasNoErrors() {
    waitFor(
        "the live indicator",
        d ->
            "live"
                .equals(
                    d.findElement(By.cssSelector("[data-testid=connection]"))
                        .getDomAttribute("data-state")));

    assertThat(browser.findElement(By.cssSelector("[data-testid=banner]")).isDisplayed()).isFalse();
    List<LogEntry> errors = severeConsoleEntries();
    assertThat(errors)
        .as("errors in the browser console since the login (a blocked script or style shows here)")
        .isEmpty();
  }

  @Test
  @Order(9)
  void showsABannerWhileKafkaIsUnreachable() {
    stack.kafka().stop();

    waitForBanner("Kafka unreachable");
    screenshot("dashboard-kafka-unreachable.png");
    stack.kafka().start();

    waitFor(
        "the banner gone once Kafka is back",
        d -> !d.findElement(By.cssSelector("[data-testid=banner]")).isDisplayed());
    assertNoReload();
  }

  @Test
  @Order(10)
  void survivesAProxyRestartByReconnecting() {
    stack.close();
    stack = null;

    waitForBanner("Proxy unreachable");
    screenshot("dashboard-disconnected.png");

    stack = DevStack.start(settings, line -> {});
    stack.awaitReady(Duration.ofSeconds(60));

    // The cookie outlives the restart (credentials are signed under the cluster secret, which dev
    // mode keeps), so the page is still carol's: no login form on the way.
    waitFor(
        "the banner gone and both agents back",
        d ->
            !d.findElement(By.cssSelector("[data-testid=banner]")).isDisplayed()
                && healthy(d.findElement(By.cssSelector(DEMO_ROW))).equals("2/2"));
    assertThat(testId(browser, "who-user").getText()).isEqualTo("carol");
    assertThat(shown(browser, "login-view")).isFalse();
    assertThat(
            browser.findElements(
                By.cssSelector("[data-testid=resource-row][data-key='app/dash-hello']")))
        .hasSize(1);
    assertNoReload();
  }

  @Test
  @Order(11)
  void screenshotsForPeopleToLookAt() throws IOException {
    assertThat(curlDemo().status()).isEqualTo(200);
    waitFor(
        "two agents on the page",
        d -> d.findElements(By.cssSelector("[data-testid=agent-row]")).size() == 2);

    fullPageScreenshot("dashboard.png");
    browser.manage().window().setSize(new Dimension(390, 844));
    waitFor(
        "cards on a phone",
        d ->
            "none"
                .equals(d.findElement(By.cssSelector("#resources thead")).getCssValue("display")));
    screenshot("dashboard-phone.png");

    assertThat(SHOTS.resolve("dashboard.png")).isNotEmptyFile();
    assertThat(SHOTS.resolve("dashboard-phone.png")).isNotEmptyFile();
    assertThat(SHOTS.resolve("dashboard-login.png")).isNotEmptyFile();
    browser.manage().window().setSize(new Dimension(1280, 900));
  }

  @Test
  @Order(12)
  void aUserOfANarrowerRoleSeesOnlyTheResourcesItAllows() throws Exception {
    HttpResponse<String> role =
        asAdmin(
            "POST",
            "/v1/roles",
            "application/json",
            """
            {"kind": "role", "version": "v1", "metadata": {"name": "demo-only"},
             "spec": {"allow": {"app_labels": {"env": "dev"},
                                "rules": [{"resources": ["resources"], "verbs": ["list", "read"]}]}}}
            """);
    assertThat(role.statusCode()).as(role.body()).isEqualTo(201);
    HttpResponse<String> dave =
        asAdmin(
            "POST",
            "/v1/users",
            "application/json",
            "{\"name\": \"dave\", \"roles\": [\"demo-only\"], \"password\": \""
                + DAVE_PASSWORD
                + "\"}");
    assertThat(dave.statusCode()).as(dave.body()).isEqualTo(201);
    HttpResponse<String> hidden =
        asAdmin(
            "POST",
            "/v1/resources",
            "application/yaml",
            """
            kind: app
            version: v1
            metadata: { name: hidden, labels: { env: prod } }
            spec: { uri: "http://127.0.0.1:%d" }
            """
                .formatted(stack.demoHttpPort()));
    assertThat(hidden.statusCode()).as(hidden.body()).isEqualTo(201);
    waitFor(
        "app/hidden on carol's page (she is an admin)",
        d -> shownResources(d).contains("app/hidden"));

    testId(browser, "logout").click();
    waitFor("the login form after logging out", d -> shown(d, "login-form"));
    assertThat(browser.manage().getCookieNamed(COOKIE)).as("the cookie, after log out").isNull();
    waitFor(
        "carol's rows gone with her login",
        d -> d.findElements(By.cssSelector("[data-testid=resource-row]")).isEmpty());

    logInThroughTheForm("dave", DAVE_PASSWORD);
    waitFor(
        "dave and his role in the header",
        d ->
            shown(d, "who")
                && testId(d, "who-user").getText().equals("dave")
                && testId(d, "who-roles").getText().equals("demo-only"));
    // What the page lists is what the API lists for dave: demo, not hidden.
    List<String> allowed = resourcesSeenBy(apiLogin("dave", DAVE_PASSWORD));
    assertThat(allowed).contains("app/demo").doesNotContain("app/hidden");
    waitFor("dave's resources, as the API lists them", d -> shownResources(d).equals(allowed));
    assertThat(shownResources(browser)).contains("app/demo").doesNotContain("app/hidden");
    waitFor(
        "the agents view saying dave's roles do not list agents",
        d ->
            d.findElement(By.id("agents-empty")).isDisplayed()
                && d.findElement(By.id("agents-empty"))
                    .getText()
                    .contains("do not allow listing agents"));
    assertThat(browser.findElements(By.cssSelector("[data-testid=agent-row]"))).isEmpty();
    assertNoReload();
  }

  @Test
  @Order(13)
  void aCredentialThatStopsCountingBringsTheFormBackAndTheLoginLinkLogsIn() throws Exception {
    // The browser drops the cookie when the credential's lifetime ends, as here: the next fetch
    // (a refetch for a resource dave may see) gets 401.
    browser.manage().deleteCookieNamed(COOKIE);
    HttpResponse<String> created =
        asAdmin(
            "POST",
            "/v1/resources",
            "application/yaml",
            """
            kind: app
            version: v1
            metadata: { name: dash-late, labels: { env: dev } }
            spec: { uri: "http://127.0.0.1:%d" }
            """
                .formatted(stack.demoHttpPort()));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

    waitFor(
        "the login form, saying the login ended",
        d ->
            shown(d, "login-form")
                && testId(d, "login-error").getText().contains("Your login has ended"));
    assertThat(shown(browser, "dashboard")).isFalse();
    assertNoReload();

    // Dev mode's one-time link (this stack's: the first one was for the proxy before the restart).
    browser.get(stack.loginLink());
    waitFor(
        "the dev admin's dashboard",
        d ->
            shown(d, "who")
                && testId(d, "who-user").getText().equals(DevStack.ADMIN)
                && d.findElements(By.cssSelector(DEMO_ROW)).size() == 1);
    assertThat(((ChromeDriver) browser).executeScript("return location.pathname")).isEqualTo("/");
    assertThat(shownResources(browser)).contains("app/hidden", "app/dash-late");
  }

  /** Types a user name and password into the login form and submits it as a person does. */
  private static void logInThroughTheForm(String user, String password) {
    waitFor("the login form", d -> shown(d, "login-form"));
    retype(testId(browser, "login-user"), user);
    retype(testId(browser, "login-password"), password);
    testId(browser, "login-submit").click();
  }

  private static WebElement testId(WebDriver d, String id) {
    return d.findElement(By.cssSelector("[data-testid='" + id + "']"));
  }

  /** Whether the element of that test id exists and is displayed. */
  private static boolean shown(WebDriver d, String id) {
    List<WebElement> found = d.findElements(By.cssSelector("[data-testid='" + id + "']"));
    return !found.isEmpty() && found.get(0).isDisplayed();
  }

  /** The console's errors since the last call (Chromium hands each entry out once). */
  private static List<LogEntry> severeConsoleEntries() {
    return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .toList();
  }

  private static String healthy(WebElement row) {
    return row.findElement(By.cssSelector("[data-testid=healthy-count]")).getText();
  }

  private static List<String> agentsOf(WebElement row) {
    return row.findElements(By.cssSelector("[data-testid=resource-agent]")).stream()
        .map(a -> a.getDomAttribute("data-agent"))
        .toList();
  }

  /** Waits on the page; on a timeout, keeps a screenshot of what the page showed instead. */
  /** Waits until the page's banner is shown and says {@code text}. */
  private static void waitForBanner(String text) {
    waitFor(
        "the '" + text + "' banner",
        d -> {
          WebElement banner = d.findElement(By.cssSelector("[data-testid=banner]"));
          return banner.isDisplayed() && banner.getText().contains(text);
        });
  }

  private static void waitFor(
      String what, java.util.function.Function<WebDriver, Boolean> condition) {
    try {
      new WebDriverWait(browser, WAIT)
          .withMessage(what)
          .ignoring(StaleElementReferenceException.class)
          .until(condition);
    } catch (TimeoutException e) {
      screenshot("failure.png");
      throw e;
    }
  }

  private static void assertNoReload() {
    assertThat(((ChromeDriver) browser).executeScript("return window.__marker"))
        .as("the page was not reloaded")
        .isEqualTo(1L);
  }

  private static void screenshot(String name) {
    try {
      Files.write(SHOTS.resolve(name), ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot save the screenshot " + name, e);
    }
  }

  /**
   * The whole page, beyond the window's height (headless windows are no taller than their screen).
   */
  private static void fullPageScreenshot(String name) throws IOException {
    ChromeDriver chrome = (ChromeDriver) browser;
    Number width = (Number) chrome.executeScript("return window.innerWidth");
    Number height = (Number) chrome.executeScript("return document.documentElement.scrollHeight");
    Map<String, Object> shot =
        chrome.executeCdpCommand(
            "Page.captureScreenshot",
            Map.of(
                "format",
                "png",
                "captureBeyondViewport",
                true,
                "clip",
                Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
    Files.write(SHOTS.resolve(name), Base64.getDecoder().decode((String) shot.get("data")));
  }

  /** {@code healthyAgents/totalAgents} of one resource, as the API reports it now. */
  private static String apiHealthy(String kind, String name) {
    try {
      HttpResponse<String> r =
          send(stack.adminCredential(), "GET", "/v1/resources/" + kind + "/" + name, null, null);
      JsonNode resource = JSON.readTree(r.body());
      return resource.path("healthyAgents").asInt() + "/" + resource.path("totalAgents").asInt();
    } catch (IOException e) {
      return "unknown: " + e;
    }
  }

  /** A session on app/demo, as the dev admin: apps, too, need a credential. */
  private static Curl.Response curlDemo() throws IOException {
    return Curl.get(
        stack.webUrl(), stack.caFile(), "demo.localhost", "/hello", stack.adminCredential());
  }

  /** A password login through the API: the bearer token, as {@code gatehouse login} keeps it. */
  private static String apiLogin(String user, String password) throws IOException {
    HttpResponse<String> r =
        send(
            null,
            "POST",
            "/v1/login",
            "application/json",
            JSON.writeValueAsString(Map.of("user", user, "password", password)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("token").asText();
  }

  /** {@code kind/name} of the resources {@code GET /v1/resources} lists for a token, sorted. */
  private static List<String> resourcesSeenBy(String token) throws IOException {
    HttpResponse<String> r = send(token, "GET", "/v1/resources", null, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> keys = new java.util.ArrayList<>();
    JSON.readTree(r.body())
        .forEach(n -> keys.add(n.path("kind").asText() + "/" + n.path("name").asText()));
    return keys.stream().sorted().toList();
  }

  private static HttpResponse<String> asAdmin(
      String method, String path, String contentType, String body) throws IOException {
    return send(stack.adminCredential(), method, path, contentType, body);
  }

  /** A request to the API carrying {@code token} (null: none) as {@code Authorization: Bearer}. */
  private static HttpResponse<String> send(
      String token, String method, String path, String contentType, String body)
      throws IOException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(stack.webUrl() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    try {
      return http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + method + " " + path, e);
    }
  }

  /** The JDK client trusting the dev CA (and nothing else). */
  private static HttpClient http() {
    return HttpClient.newBuilder()
        .sslContext(TlsContexts.trusting(ClusterCa.readCertificate(stack.caFile().getParent())))
        .build();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
