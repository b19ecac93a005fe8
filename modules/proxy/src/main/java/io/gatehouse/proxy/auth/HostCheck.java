package io.gatehouse.proxy.auth;

import io.gatehouse.config.HostPort;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.listener.RequestHost;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses API requests whose {@code Host} is not one of the proxy's own names (its public host, the
 * address it listens on, and the loopback names): a page on {@code evil.example} whose name was
 * re-pointed at the proxy's address (DNS rebinding) is answered {@code 421}, dev mode included.
 * Health and readiness probes, which load balancers send by address, and agents' joins (which carry
 * their own token) are exempt. App hosts never reach the API.
 */
public final class HostCheck implements Handler<RoutingContext> {
  private final Set<String> names = new TreeSet<>();
  private final Set<String> exempt;
  private final String publicHost;

  public HostCheck(String publicHost, HostPort listen, Set<String> exemptPaths) {
    this.publicHost = publicHost.toLowerCase(Locale.ROOT);
    names.add(this.publicHost);
    names.add("localhost");
    names.add("127.0.0.1");
    names.add("[::1]");
    if (!listen.isWildcard()) {
      String host = listen.host().toLowerCase(Locale.ROOT);
      names.add(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host);
    }
    this.exempt = Set.copyOf(exemptPaths);
  }

  /** Apps answer at {@code <name>.<publicHost>}. */
  public String publicHost() {
    return publicHost;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (exempt.contains(ctx.request().path())) {
      ctx.next();
      return;
    }
    String host = RequestHost.of(ctx.request());
    if (host == null || !names.contains(name(host))) {
      ctx.fail(
          new Refusal(
              ErrorCode.MISDIRECTED,
              "this proxy answers its API for "
                  + String.join(", ", names)
                  + ", not for Host '"
                  + host
                  + "'"));
      return;
    }
    ctx.next();
  }

  /** The host of a {@code Host} header, lower case, without port or trailing dot. */
  static String name(String header) {
    String h = header.toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(0, end + 1);
    }
    int colon = h.lastIndexOf(':');
    if (colon >= 0) {
      h = h.substring(0, colon);
    }
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }
}
