package io.gatehouse.agent;

import io.gatehouse.agent.DestinationRefusal.Reason;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where the dynamic resources one watcher matches may point: its {@code destinations}, or any
 * address when it has none, but never, unless an entry names them, the addresses refused by
 * default: loopback (127.0.0.0/8, ::1, and the name {@code localhost}), link-local (169.254.0.0/16
 * with the cloud metadata address 169.254.169.254, fe80::/10, and AWS's fd00:ec2::254), unspecified
 * (0.0.0.0/8, ::) and the proxies the agent is connected to (their host names, and their addresses
 * on any port).
 *
 * <p>The rule, for a destination {@code host:port}:
 *
 * <ol>
 *   <li>With {@code destinations}, the destination must be listed: a name by a host, {@code
 *       *.suffix} or {@code :port} entry, an address by a CIDR or {@code :port} entry. A name is
 *       never resolved to see whether it falls in a CIDR.
 *   <li>Every address involved (the literal, or each address the name resolved to when dialing)
 *       that is refused by default must be opened by a CIDR entry that lies <em>inside</em> the
 *       refused range: {@code 127.0.0.1:3090} or {@code 127.0.0.0/8} opens loopback, {@code
 *       0.0.0.0/0} or {@code 10.0.0.0/8} does not; a proxy's address only by an entry for exactly
 *       that address. A host name entry never opens an address: DNS is not the operator's to trust,
 *       so {@code localhost:3090} alone still refuses 127.0.0.1, and a resource named by {@code
 *       localhost} or by a proxy's name needs its name and its address listed.
 * </ol>
 *
 * Immutable. Checking resolves nothing: the caller passes what a name resolved to (nothing when a
 * definition arrives, the address about to be dialed at dial time).
 *
 * @param watcher the watcher's key path, e.g. {@code app_service.resources[0]}, for messages
 * @param entries the parsed {@code destinations}; empty when the key is absent
 */
public record DestinationRules(String watcher, Optional<List<Destination>> entries) {

  /** A range refused by default and why. */
  private record Refused(Cidr range, Reason reason, String what) {}

  private static final List<Refused> REFUSED =
      List.of(
          new Refused(Cidr.parse("127.0.0.0/8"), Reason.LOOPBACK, "a loopback address"),
          new Refused(Cidr.parse("::1"), Reason.LOOPBACK, "a loopback address"),
          new Refused(Cidr.parse("169.254.0.0/16"), Reason.LINK_LOCAL, "a link-local address"),
          new Refused(Cidr.parse("fe80::/10"), Reason.LINK_LOCAL, "a link-local address"),
          new Refused(Cidr.parse("fd00:ec2::254"), Reason.LINK_LOCAL, "the cloud metadata address"),
          new Refused(Cidr.parse("0.0.0.0/8"), Reason.UNSPECIFIED, "an unspecified address"),
          new Refused(Cidr.parse("::"), Reason.UNSPECIFIED, "an unspecified address"));

  public DestinationRules {
    Objects.requireNonNull(watcher, "watcher");
    entries = entries.map(List::copyOf);
  }

  /** A watcher without {@code destinations}: any address but those refused by default. */
  public static DestinationRules anyAddress(String watcher) {
    return new DestinationRules(watcher, Optional.empty());
  }

  /** A watcher whose {@code destinations} are {@code entries}. */
  public static DestinationRules of(String watcher, List<Destination> entries) {
    return new DestinationRules(watcher, Optional.of(entries));
  }

  /** True when {@code host} is an IP literal, so there is nothing to resolve before dialing it. */
  public static boolean isAddress(String host) {
    return IpLiteral.parse(host).isPresent();
  }

  /**
   * Why {@code host:port} may not be served or dialed, if it may not.
   *
   * @param host a host name or IP literal (brackets allowed), as in the resource's URI
   * @param port the port, the scheme's default filled in
   * @param resolved what {@code host} resolved to, when it is a name and is about to be dialed;
   *     empty when a definition arrives (nothing is resolved then)
   * @param proxies the proxies the agent knows right now
   */
  public Optional<DestinationRefusal> refusal(
      String host, int port, List<InetAddress> resolved, ProxyAddresses proxies) {
    String name = IpLiteral.normalize(host);
    Optional<InetAddress> literal = IpLiteral.parse(name);
    List<Destination> list = entries.orElse(List.of());
    if (literal.isPresent()) {
      return refusedAddress(name, literal.get(), port, proxies, list)
          .or(() -> unlisted(name, port, list, d -> d.allowsAddress(literal.get(), port)));
    }
    if (IpLiteral.isAmbiguous(name)) {
      return Optional.of(
          new DestinationRefusal(
              Reason.AMBIGUOUS,
              "'"
                  + host
                  + "' is neither a host name nor an IP address in canonical form, and a resolver"
                  + " may read it as an address; write IPv4 as four decimal parts without leading"
                  + " zeros"));
    }
    if (isLocalhost(name)
        && list.stream()
            .noneMatch(
                d ->
                    REFUSED.stream()
                        .anyMatch(
                            r ->
                                r.reason() == Reason.LOOPBACK && d.opensPartOf(r.range(), port)))) {
      return Optional.of(
          new DestinationRefusal(
              Reason.LOOPBACK,
              "'"
                  + name
                  + "' always means a loopback address; refused unless "
                  + watcher
                  + ".destinations names one, e.g. '"
                  + IpLiteral.hostPort("127.0.0.1", port)
                  + "' (and '"
                  + IpLiteral.hostPort(name, port)
                  + "' for the name)"));
    }
    if (proxies.isProxyName(name) && list.stream().noneMatch(d -> d.namesExactly(name, port))) {
      return Optional.of(
          new DestinationRefusal(
              Reason.PROXY,
              "'"
                  + name
                  + "' is the host of a proxy this agent is connected to; refused unless "
                  + watcher
                  + ".destinations names it, e.g. '"
                  + IpLiteral.hostPort(name, port)
                  + "'"));
    }
    Optional<DestinationRefusal> notListed =
        unlisted(name, port, list, d -> d.allowsName(name, port));
    if (notListed.isPresent()) {
      return notListed;
    }
    for (InetAddress address : resolved) {
      Optional<DestinationRefusal> refused = refusedAddress(name, address, port, proxies, list);
      if (refused.isPresent()) {
        return refused;
      }
    }
    return Optional.empty();
  }

  /** The refusal of an address refused by default that no entry opens, if any. */
  private Optional<DestinationRefusal> refusedAddress(
      String host, InetAddress address, int port, ProxyAddresses proxies, List<Destination> list) {
    List<InetAddress> judged = new ArrayList<>(List.of(address));
    IpLiteral.embeddedIpv4(address).ifPresent(judged::add);
    for (InetAddress a : judged) {
      for (Refused r : REFUSED) {
        if (r.range().contains(a) && list.stream().noneMatch(d -> d.opens(r.range(), a, port))) {
          return Optional.of(refusal(r.reason(), host, address, port, r.what()));
        }
      }
      if (proxies.isProxyAddress(a) && list.stream().noneMatch(d -> d.opens(Cidr.of(a), a, port))) {
        return Optional.of(
            refusal(
                Reason.PROXY, host, address, port, "the address of a proxy it is connected to"));
      }
    }
    return Optional.empty();
  }

  private DestinationRefusal refusal(
      Reason reason, String host, InetAddress address, int port, String what) {
    String text = IpLiteral.text(address);
    String subject =
        IpLiteral.parse(host).isPresent()
            ? text + " is " + what
            : host + " resolved to " + text + ", " + what;
    return new DestinationRefusal(
        reason,
        subject
            + "; refused unless "
            + watcher
            + ".destinations names it, e.g. '"
            + IpLiteral.hostPort(text, port)
            + "'");
  }

  private Optional<DestinationRefusal> unlisted(
      String host, int port, List<Destination> list, java.util.function.Predicate<Destination> ok) {
    if (entries.isEmpty() || list.stream().anyMatch(ok)) {
      return Optional.empty();
    }
    boolean name = IpLiteral.parse(host).isEmpty();
    boolean hasNetworks = list.stream().anyMatch(d -> d.form() == Destination.Form.NETWORK);
    return Optional.of(
        new DestinationRefusal(
            Reason.NOT_LISTED,
            IpLiteral.hostPort(host, port)
                + " is not among "
                + watcher
                + ".destinations "
                + list.stream().map(Destination::text).collect(Collectors.joining(", ", "[", "]"))
                + (name && hasNetworks
                    ? " (a host name is allowed by a host entry; it is not resolved to match a"
                        + " CIDR)"
                    : "")));
  }

  private static boolean isLocalhost(String name) {
    return name.equals("localhost") || name.endsWith(".localhost");
  }
}
