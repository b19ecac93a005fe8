package io.gatehouse.bench.suite;

import io.gatehouse.bench.Stats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scenarios 1 and 3: wrk against each compared path, rounds interleaved so that machine noise falls
 * on every path alike. Keep-alive mode sends the session cookie the path handed out (one session,
 * as a browser would); new-session mode sends no cookie and closes the connection after each
 * request, so every request is a new session on a new connection.
 */
record HttpScenario(List<Target> targets, Settings settings) {
  static final List<String> TIERS = List.of("proxy", "agent", "upstream", "broker");

  private record Round(Wrk.Result wrk, Map<String, Double> cpuPer10k) {}

  /**
   * Keep-alive load on every path, unmeasured, so that JIT compilers are done before the first
   * round.
   */
  void warmUp(String path) throws IOException, InterruptedException {
    for (Target t : targets) {
      String cookie = sessionCookie(t, path);
      Wrk.run(
          t.url(path),
          settings.httpConnections(),
          settings.firstWarmupSeconds(),
          t.headers(cookie, false));
    }
  }

  /** Keep-alive GETs of {@code path} within one session per target. */
  Table keepAlive(String id, String title, String path) throws IOException, InterruptedException {
    Map<Target, String> cookies = new HashMap<>();
    for (Target t : targets) {
      cookies.put(t, sessionCookie(t, path));
    }
    return table(id, title, measure(path, cookies, false), "requests/s")
        .note(
            wrkCommand()
                + ", keep-alive, one session per path (its cookie); median of "
                + settings.rounds()
                + " interleaved rounds; CPU = user+system seconds per 10k requests of each tier's processes");
  }

  /** New sessions: no cookie, {@code Connection: close}. */
  Table newSessions(String id, String title, String path) throws IOException, InterruptedException {
    return table(id, title, measure(path, new HashMap<>(), true), "sessions/s")
        .note(
            wrkCommand()
                + ", no cookie and Connection: close: every request is a new session on a new connection;"
                + " Gatehouse writes a pin and an audit event to Kafka per session, HAProxy inserts a cookie");
  }

  /** The cookie of the session a first request to {@code path} on {@code t} opens, if any. */
  private static String sessionCookie(Target t, String path) throws IOException {
    return RawHttp.get(t.port(), t.tls(), t.host(), path, null, t.extra()).cookie().orElse(null);
  }

  /** How every measured round runs wrk, for the tables' notes. */
  private String wrkCommand() {
    return "wrk -t1 -c" + settings.httpConnections() + " -d" + settings.httpSeconds() + "s";
  }

  private Map<Target, List<Round>> measure(String path, Map<Target, String> cookies, boolean close)
      throws IOException, InterruptedException {
    int connections = settings.httpConnections();
    for (Target t : targets) {
      Wrk.run(t.url(path), connections, settings.warmupSeconds(), t.headers(cookies.get(t), close));
    }
    Map<Target, List<Round>> out = new LinkedHashMap<>();
    for (int r = 0; r < settings.rounds(); r++) {
      for (Target t : targets) {
        Map<String, Double> before = t.cpu();
        Wrk.Result result =
            Wrk.run(
                t.url(path), connections, settings.httpSeconds(), t.headers(cookies.get(t), close));
        Map<String, Double> after = t.cpu();
        Map<String, Double> per10k = new LinkedHashMap<>();
        after.forEach(
            (tier, cpu) -> per10k.put(tier, (cpu - before.get(tier)) / result.requests() * 10_000));
        out.computeIfAbsent(t, k -> new ArrayList<>()).add(new Round(result, per10k));
      }
    }
    return out;
  }

  private Table table(String id, String title, Map<Target, List<Round>> rounds, String rateName) {
    List<String> columns =
        new ArrayList<>(
            List.of("path", rateName, "vs direct", "vs HAProxy", "p50 ms", "p99 ms", "failed"));
    TIERS.forEach(t -> columns.add(t + " CPU s/10k"));
    Table table = new Table(id, title, columns.toArray(String[]::new));
    double direct = rate(rounds, "direct");
    double haproxy = rate(rounds, "haproxy");
    for (Map.Entry<Target, List<Round>> e : rounds.entrySet()) {
      List<Round> rs = e.getValue();
      double rate = median(rs, r -> r.wrk().requestsPerSec());
      List<Object> row =
          new ArrayList<>(
              List.of(
                  e.getKey().name(),
                  rate,
                  Table.ratio(rate, direct),
                  Table.ratio(rate, haproxy),
                  median(rs, r -> r.wrk().p50Millis()),
                  median(rs, r -> r.wrk().p99Millis()),
                  (double) rs.stream().mapToLong(r -> r.wrk().failed()).sum()));
      for (String tier : TIERS) {
        row.add(
            rs.get(0).cpuPer10k().containsKey(tier)
                ? median(rs, r -> r.cpuPer10k().get(tier))
                : null);
      }
      table.row(row.toArray());
    }
    return table;
  }

  private static double rate(Map<Target, List<Round>> rounds, String name) {
    return rounds.entrySet().stream()
        .filter(e -> e.getKey().name().equals(name))
        .findFirst()
        .map(e -> median(e.getValue(), r -> r.wrk().requestsPerSec()))
        .orElse(Double.NaN);
  }

  private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> f) {
    return Stats.median(rounds.stream().map(r -> f.applyAsDouble(r)).toList());
  }
}
