package io.gatehouse.agent;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;

/**
 * The host names and addresses of the proxies an agent knows (the one it was configured with, those
 * the proxy list on a control stream named, and the addresses its tunnels are connected to): a
 * resource pointing at one of them is refused unless a watcher names it. Immutable; {@link #with}
 * returns a copy.
 *
 * @param names host names, normalized (lower case, no trailing dot)
 * @param addresses IP addresses
 */
public record ProxyAddresses(Set<String> names, Set<InetAddress> addresses) {
  /** No proxy known. */
  public static final ProxyAddresses NONE = new ProxyAddresses(Set.of(), Set.of());

  public ProxyAddresses {
    names = Set.copyOf(names);
    addresses = Set.copyOf(addresses);
  }

  /** These and {@code host}, a name or an IP literal (never looked up). */
  public ProxyAddresses with(String host) {
    return IpLiteral.parse(host)
        .map(this::with)
        .orElseGet(
            () -> {
              Set<String> n = new HashSet<>(names);
              n.add(IpLiteral.normalize(host));
              return new ProxyAddresses(n, addresses);
            });
  }

  /** These and {@code address}. */
  public ProxyAddresses with(InetAddress address) {
    Set<InetAddress> a = new HashSet<>(addresses);
    a.add(address);
    return new ProxyAddresses(names, a);
  }

  /** True when {@code name} (normalized) is a proxy's host name. */
  boolean isProxyName(String name) {
    return names.contains(name);
  }

  /** True when {@code address} is a proxy's. */
  boolean isProxyAddress(InetAddress address) {
    return addresses.contains(address);
  }
}
