package io.gatehouse.agent.internal.relay;

import io.gatehouse.agent.DestinationRefusal;
import io.gatehouse.agent.DestinationRules;
import io.gatehouse.agent.internal.catalog.Served;
import io.gatehouse.agent.internal.destination.DestinationGuard;
import io.gatehouse.agent.internal.destination.ProxyDirectory;
import io.vertx.core.Future;
import io.vertx.core.internal.resolver.NameResolver;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check of a dynamic resource's destination at dial time, against what its host resolves to now
 * rather than when the definition arrived (a name may have been rebound to 127.0.0.1 since). The
 * name is resolved once, by the resolver the relay's clients use, and the address checked is the
 * address dialed, so nothing can change between the check and the connection. Each distinct refusal
 * is logged once per resource.
 */
final class DestinationDial {
  private static final Logger LOG = LoggerFactory.getLogger(DestinationDial.class);

  private final String agentId;
  private final NameResolver resolver;
  private final ProxyDirectory proxies;
  private final Set<String> logged = new HashSet<>();

  DestinationDial(String agentId, NameResolver resolver, ProxyDirectory proxies) {
    this.agentId = agentId;
    this.resolver = resolver;
    this.proxies = proxies;
  }

  /**
   * The address to dial for {@code served}, whose {@link Served#guard} is present: {@code null}
   * when its host is an IP literal (dial it as written); fails with {@link DestinationRefused} when
   * the destination is refused, or with the resolver's failure.
   */
  Future<InetAddress> address(Served served, String resource) {
    DestinationGuard guard = served.guard().orElseThrow();
    Upstream upstream = served.upstream();
    if (DestinationRules.isAddress(upstream.host())) {
      // Checked when the definition arrived; only the proxies known may have changed since.
      return checked(guard, upstream, List.of(), resource).map((InetAddress) null);
    }
    return resolver
        .resolve(upstream.host())
        .compose(address -> checked(guard, upstream, List.of(address), resource).map(address));
  }

  private Future<Void> checked(
      DestinationGuard guard, Upstream upstream, List<InetAddress> resolved, String resource) {
    Optional<DestinationRefusal> refusal =
        guard.refusal(upstream.host(), upstream.port(), resolved, proxies.known());
    if (refusal.isEmpty()) {
      return Future.succeededFuture();
    }
    log(resource, refusal.get());
    return Future.failedFuture(new DestinationRefused(resource, refusal.get()));
  }

  private void log(String resource, DestinationRefusal refusal) {
    boolean first;
    synchronized (logged) {
      first = logged.add(resource + " " + refusal.detail());
    }
    if (first) {
      LOG.warn(
          "agent {}: {}: not dialed: {} [{}]",
          agentId,
          resource,
          refusal.detail(),
          refusal.reason().word());
    }
  }
}
