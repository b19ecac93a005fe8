package io.gatehouse.bench;

import io.gatehouse.broker.EmbeddedKafka;
import io.gatehouse.lifecycle.FileTree;
import io.gatehouse.proxy.auth.LoginApi;
import io.gatehouse.proxy.auth.ServerTiming;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Password logins against one real proxy: {@code login [--logins N] [--warmup W] [--concurrency
 * C[,C…]]} (defaults 1000, 200, {@code 1,4}).
 *
 * <p>An embedded KRaft broker in this JVM and a real proxy in a child JVM ({@link ProxyProcess}); a
 * user with a password and the {@code admin} role made through the proxy's API ({@code POST
 * /v1/users}, as an operator's CLI does); then, for each concurrency C, W unmeasured logins and N
 * measured ones, C at a time, each a real HTTPS {@code POST /v1/login} on a keep-alive connection.
 * Every login must succeed (the failed-login throttle never applies to a successful one). For each
 * login it records the wall time seen by the client, the hash time the proxy reports ({@code
 * Server-Timing: hash;dur=…}) and their difference, and prints p50/p90/p99/max of each, the logins
 * per second and the proxy's CPU per login. Everything it started is stopped on the way out.
 */
final class LoginBench {
  private static final String USER = "login-bench";
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

  private LoginBench() {}

  record Options(int logins, int warmup, List<Integer> concurrency) {
    static Options parse(String[] args) {
      int logins = 1000;
      int warmup = 200;
      List<Integer> concurrency = List.of(1, 4);
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--logins" -> logins = Integer.parseInt(args[++i]);
          case "--warmup" -> warmup = Integer.parseInt(args[++i]);
          case "--concurrency" ->
              concurrency =
                  java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
          default ->
              throw new IllegalArgumentException(
                  "usage: login [--logins N] [--warmup W] [--concurrency C[,C...]]; unknown "
                      + args[i]);
        }
      }
      if (logins < 1 || warmup < 0 || concurrency.stream().anyMatch(c -> c < 1)) {
        throw new IllegalArgumentException("logins and concurrency positive, warmup not negative");
      }
      return new Options(logins, warmup, concurrency);
    }
  }

  /** One login: the client's wall time and the proxy's hash time, in nanoseconds. */
  private record Sample(long wallNanos, long hashNanos) {}

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (RuntimeException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Path work = Files.createTempDirectory("gatehouse-login-");
    try (EmbeddedKafka kafka =
            EmbeddedKafka.builder().dataDir(work.resolve("kafka")).build().start();
        ProxyProcess proxy =
            ProxyProcess.start(
                ProxyProcess.writeConfig(
                    work.resolve("proxy"), kafka.bootstrapServers(), "login-proxy"),
                "1g",
                READY_TIMEOUT)) {
      char[] password = io.gatehouse.access.PasswordHasher.randomPassword();
      addUser(proxy, new String(password));
      String body =
          new JsonObject().put("user", USER).put("password", new String(password)).encode();
      for (int c : options.concurrency()) {
        run(proxy, body, options.warmup(), c);
        double cpuBefore = ProcStat.cpuSeconds(proxy.pid());
        long started = System.nanoTime();
        List<Sample> samples = run(proxy, body, options.logins(), c);
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpu = ProcStat.cpuSeconds(proxy.pid()) - cpuBefore;
        report(c, samples, seconds, cpu);
      }
    } finally {
      ProxyProcess.destroyAll();
      FileTree.delete(work);
    }
  }

  /**
   * Makes the bench's user with the child's admin credential and waits until the proxy knows it
   * (reading the user, which is not throttled, rather than trying logins, which are).
   */
  private static void addUser(ProxyProcess proxy, String password)
      throws IOException, InterruptedException {
    String user =
        new JsonObject()
            .put("name", USER)
            .put("roles", new JsonArray().add("admin"))
            .put("password", password)
            .encode();
    HttpResponse<String> created =
        proxy
            .http()
            .send(
                HttpRequest.newBuilder(URI.create(proxy.baseUrl() + "/v1/users"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Authorization", proxy.authorization())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(user))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (created.statusCode() != 201) {
      throw new IllegalStateException(
          "POST /v1/users answered " + created.statusCode() + ": " + created.body());
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (proxy.get("/v1/users/" + USER).statusCode() != 200) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the proxy did not learn of user " + USER + " in 30 s");
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
  }

  /** {@code count} logins, {@code concurrency} at a time. */
  private static List<Sample> run(ProxyProcess proxy, String body, int count, int concurrency)
      throws Exception {
    HttpRequest login =
        HttpRequest.newBuilder(URI.create(proxy.baseUrl() + "/v1/login"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    AtomicInteger left = new AtomicInteger(count);
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<List<Sample>>> workers = new ArrayList<>();
      for (int w = 0; w < concurrency; w++) {
        workers.add(
            pool.submit(
                () -> {
                  List<Sample> mine = new ArrayList<>();
                  while (left.getAndDecrement() > 0) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r =
                        proxy.http().send(login, HttpResponse.BodyHandlers.ofString());
                    long wall = System.nanoTime() - t0;
                    if (r.statusCode() != 200) {
                      throw new IllegalStateException(
                          "login answered " + r.statusCode() + ": " + r.body());
                    }
                    double hashMillis =
                        ServerTiming.duration(
                                r.headers().firstValue(ServerTiming.HEADER).orElse(null),
                                LoginApi.HASH_TIMING)
                            .orElseThrow(
                                () -> new IllegalStateException("a login without Server-Timing"));
                    mine.add(new Sample(wall, Math.round(hashMillis * 1e6)));
                  }
                  return mine;
                }));
      }
      List<Sample> all = new ArrayList<>(count);
      for (Future<List<Sample>> w : workers) {
        all.addAll(w.get());
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void report(int concurrency, List<Sample> samples, double seconds, double cpu) {
    long[] wall = samples.stream().mapToLong(Sample::wallNanos).toArray();
    long[] hash = samples.stream().mapToLong(Sample::hashNanos).toArray();
    long[] rest = samples.stream().mapToLong(s -> s.wallNanos() - s.hashNanos()).toArray();
    System.out.println(
        String.format(
            Locale.ROOT,
            "{\"scenario\":\"login\",\"concurrency\":%d,\"logins\":%d,\"loginsPerSec\":%.1f,"
                + "\"proxyCpuMsPerLogin\":%.1f,\"wallMs\":%s,\"hashMs\":%s,\"wallMinusHashMs\":%s}",
            concurrency,
            samples.size(),
            samples.size() / seconds,
            cpu * 1000 / samples.size(),
            percentiles(wall),
            percentiles(hash),
            percentiles(rest)));
  }

  private static String percentiles(long[] nanos) {
    return String.format(
        Locale.ROOT,
        "{\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"max\":%.2f}",
        Stats.percentile(nanos, 0.50) / 1e6,
        Stats.percentile(nanos, 0.90) / 1e6,
        Stats.percentile(nanos, 0.99) / 1e6,
        Stats.percentile(nanos, 1.0) / 1e6);
  }
}
