package io.gatehouse.bench.suite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code wrk} (Debian's package) against a loopback URL and parses its report: requests/s, p50
 * and p99 latency, total requests, and failed ones (socket errors plus non-2xx/3xx).
 */
final class Wrk {
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
  private static final Pattern PERCENTILE =
      Pattern.compile("^\\s+(50|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern SOCKET =
      Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

  record Result(
      double requestsPerSec, double p50Millis, double p99Millis, long requests, long failed) {}

  private Wrk() {}

  /** {@code wrk -t1 -cCONNECTIONS -dSECONDSs --latency} with the given headers. */
  static Result run(String url, int connections, int seconds, List<String> headers)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "wrk",
                "-t1",
                "-c" + connections,
                "-d" + seconds + "s",
                "--latency",
                "--timeout",
                "5s"));
    for (String h : headers) {
      cmd.add("-H");
      cmd.add(h);
    }
    cmd.add(url);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("wrk failed on " + url + ":\n" + out);
    }
    return parse(out);
  }

  static Result parse(String out) throws IOException {
    Matcher rps = RPS.matcher(out);
    Matcher total = TOTAL.matcher(out);
    if (!rps.find() || !total.find()) {
      throw new IOException("cannot read wrk's report:\n" + out);
    }
    double p50 = Double.NaN;
    double p99 = Double.NaN;
    Matcher m = PERCENTILE.matcher(out);
    while (m.find()) {
      double millis =
          Double.parseDouble(m.group(2))
              * switch (m.group(3)) {
                case "us" -> 0.001;
                case "ms" -> 1.0;
                default -> 1000.0;
              };
      if (m.group(1).equals("50")) {
        p50 = millis;
      } else {
        p99 = millis;
      }
    }
    long failed = 0;
    Matcher non2xx = NON_2XX.matcher(out);
    if (non2xx.find()) {
      failed += Long.parseLong(non2xx.group(1));
    }
    Matcher socket = SOCKET.matcher(out);
    if (socket.find()) {
      for (int g = 1; g <= 4; g++) {
        failed += Long.parseLong(socket.group(g));
      }
    }
    return new Result(
        Double.parseDouble(rps.group(1)), p50, p99, Long.parseLong(total.group(1)), failed);
  }
}
