package io.gatehouse.bench.suite;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * One compared path for the HTTP scenarios: where wrk sends requests, the {@code Host} header, the
 * TLS the path's first hop speaks ({@code null}: plain HTTP), the tiers whose CPU is charged to it,
 * and headers every request carries (Gatehouse's: the user's credential).
 */
record Target(
    String name, int port, String host, SSLContext tls, List<Hop> hops, List<String> extra) {
  Target(String name, int port, String host, SSLContext tls, List<Hop> hops) {
    this(name, port, host, tls, hops, List.of());
  }

  String url(String path) {
    return (tls == null ? "http" : "https") + "://127.0.0.1:" + port + path;
  }

  List<String> headers(String cookie, boolean newConnectionEach) {
    List<String> h = new ArrayList<>(List.of("Host: " + host));
    h.addAll(extra);
    if (cookie != null) {
      h.add("Cookie: " + cookie);
    }
    if (newConnectionEach) {
      h.add("Connection: close");
    }
    return h;
  }

  /** CPU seconds so far, per tier. */
  Map<String, Double> cpu() {
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    hops.forEach(h -> out.put(h.tier(), h.cpuSeconds()));
    return out;
  }
}
