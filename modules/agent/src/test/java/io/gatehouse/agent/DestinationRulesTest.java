package io.gatehouse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.DestinationRefusal.Reason;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DestinationRulesTest {
  private static final String WATCHER = "app_service.resources[0]";
  private static final DestinationRules ANY = DestinationRules.anyAddress(WATCHER);

  private static DestinationRules listing(String... entries) {
    return DestinationRules.of(WATCHER, Arrays.stream(entries).map(Destination::parse).toList());
  }

  private static InetAddress ip(String literal) {
    return IpLiteral.parse(literal).orElseThrow();
  }

  private static Optional<Reason> reason(
      DestinationRules rules, String host, int port, String... resolved) {
    return reason(rules, host, port, ProxyAddresses.NONE, resolved);
  }

  private static Optional<Reason> reason(
      DestinationRules rules, String host, int port, ProxyAddresses proxies, String... resolved) {
    List<InetAddress> addresses = Arrays.stream(resolved).map(DestinationRulesTest::ip).toList();
    return rules.refusal(host, port, addresses, proxies).map(DestinationRefusal::reason);
  }

  @ParameterizedTest(name = "{0} is refused as {1}")
  @CsvSource({
    "127.0.0.1, LOOPBACK",
    "127.5.6.7, LOOPBACK",
    "::1, LOOPBACK",
    "[::1], LOOPBACK",
    "::ffff:127.0.0.1, LOOPBACK",
    "::127.0.0.1, LOOPBACK",
    "169.254.169.254, LINK_LOCAL",
    "169.254.1.1, LINK_LOCAL",
    "fe80::1, LINK_LOCAL",
    "fe80::1%eth0, LINK_LOCAL",
    "fd00:ec2::254, LINK_LOCAL",
    "0.0.0.0, UNSPECIFIED",
    "::, UNSPECIFIED",
    "localhost, LOOPBACK",
    "LocalHost., LOOPBACK",
    "admin.localhost, LOOPBACK",
    "127.1, AMBIGUOUS",
    "2130706433, AMBIGUOUS",
    "0x7f.0.0.1, AMBIGUOUS",
    "017700000001, AMBIGUOUS"
  })
  void withoutDestinationsRefusesTheDefaultSet(String host, Reason reason) {
    assertThat(reason(ANY, host, 80)).contains(reason);
  }

  @ParameterizedTest(name = "{0} is allowed")
  @CsvSource({"10.1.2.3", "203.0.113.9", "fd00::5", "db.internal", "169.255.0.1", "128.0.0.1"})
  void withoutDestinationsAllowsEverythingElse(String host) {
    assertThat(reason(ANY, host, 5432)).isEmpty();
  }

  @Test
  void anEntryInsideARefusedRangeOpensExactlyThatPart() {
    DestinationRules rules = listing("127.0.0.1:3090", "[::1]:8080", "169.254.169.254:80");
    assertThat(reason(rules, "127.0.0.1", 3090)).isEmpty();
    assertThat(reason(rules, "127.0.0.1", 3091)).contains(Reason.LOOPBACK);
    assertThat(reason(rules, "127.0.0.2", 3090)).contains(Reason.LOOPBACK);
    assertThat(reason(rules, "::1", 8080)).isEmpty();
    assertThat(reason(rules, "169.254.169.254", 80)).isEmpty();
    assertThat(reason(rules, "169.254.169.253", 80)).contains(Reason.LINK_LOCAL);
    assertThat(reason(listing("127.0.0.0/8"), "127.9.9.9", 1)).isEmpty();
  }

  @Test
  void aBroadNetworkNeverOpensTheRefusedRangesInsideIt() {
    DestinationRules rules = listing("0.0.0.0/0", "::/0", ":80");
    assertThat(reason(rules, "10.1.2.3", 80)).isEmpty();
    assertThat(reason(rules, "127.0.0.1", 80)).contains(Reason.LOOPBACK);
    assertThat(reason(rules, "169.254.169.254", 80)).contains(Reason.LINK_LOCAL);
    assertThat(reason(rules, "fe80::1", 80)).contains(Reason.LINK_LOCAL);
    assertThat(reason(rules, "0.0.0.0", 80)).contains(Reason.UNSPECIFIED);
  }

  @Test
  void withDestinationsOnlyListedAddressesAndNamesPass() {
    DestinationRules rules =
        listing("10.0.0.0/8", "db.internal:5432", "*.corp.example.com", ":443");
    assertThat(reason(rules, "10.9.8.7", 22)).isEmpty();
    assertThat(reason(rules, "192.168.1.1", 22)).contains(Reason.NOT_LISTED);
    assertThat(reason(rules, "192.168.1.1", 443)).as(":443 allows any host").isEmpty();
    assertThat(reason(rules, "db.internal", 5432)).isEmpty();
    assertThat(reason(rules, "db.internal", 5433)).contains(Reason.NOT_LISTED);
    assertThat(reason(rules, "git.corp.example.com", 22)).isEmpty();
    assertThat(reason(rules, "corp.example.com", 22)).contains(Reason.NOT_LISTED);
  }

  @Test
  void aNameIsNeverMatchedAgainstACidrAndSaysSo() {
    Optional<DestinationRefusal> refusal =
        listing("10.0.0.0/8").refusal("db.internal", 5432, List.of(), ProxyAddresses.NONE);
    assertThat(refusal).map(DestinationRefusal::reason).contains(Reason.NOT_LISTED);
    assertThat(refusal.orElseThrow().detail())
        .isEqualTo(
            "db.internal:5432 is not among app_service.resources[0].destinations [10.0.0.0/8]"
                + " (a host name is allowed by a host entry; it is not resolved to match a CIDR)");
  }

  @Test
  void whatANameResolvesToAtDialTimeIsJudgedLikeALiteral() {
    DestinationRules rules = listing("*.example");
    assertThat(reason(rules, "rebind.example", 80)).as("nothing resolved yet").isEmpty();
    assertThat(reason(rules, "rebind.example", 80, "203.0.113.9")).isEmpty();
    assertThat(reason(rules, "rebind.example", 80, "127.0.0.1")).contains(Reason.LOOPBACK);
    assertThat(reason(rules, "rebind.example", 80, "169.254.169.254")).contains(Reason.LINK_LOCAL);
    assertThat(reason(ANY, "db.internal", 80, "0.0.0.0")).contains(Reason.UNSPECIFIED);
  }

  @Test
  void aHostEntryAllowsTheNameButNotTheRefusedAddressItResolvesTo() {
    DestinationRules byName = listing("rebind.example:3090");
    assertThat(reason(byName, "rebind.example", 3090, "127.0.0.1")).contains(Reason.LOOPBACK);
    DestinationRules both = listing("rebind.example:3090", "127.0.0.1:3090");
    assertThat(reason(both, "rebind.example", 3090, "127.0.0.1")).isEmpty();
  }

  @Test
  void localhostNeedsALoopbackAddressEntryAndItsName() {
    assertThat(reason(listing("localhost:3090"), "localhost", 3090)).contains(Reason.LOOPBACK);
    assertThat(reason(listing("127.0.0.1:3090"), "localhost", 3090)).contains(Reason.NOT_LISTED);
    DestinationRules both = listing("localhost:3090", "127.0.0.1:3090");
    assertThat(reason(both, "localhost", 3090)).isEmpty();
    assertThat(reason(both, "localhost", 3090, "127.0.0.1")).isEmpty();
    assertThat(reason(both, "localhost", 3090, "::1"))
        .as("the address dialed is judged, not the one listed")
        .contains(Reason.LOOPBACK);
  }

  @Test
  void aProxysNameAndAddressesAreRefusedOnAnyPortUnlessNamedExactly() {
    ProxyAddresses proxies = ProxyAddresses.NONE.with("gatehouse.example.com").with(ip("10.0.0.5"));
    assertThat(reason(ANY, "gatehouse.example.com", 3080, proxies)).contains(Reason.PROXY);
    assertThat(reason(ANY, "Gatehouse.Example.com.", 9092, proxies)).contains(Reason.PROXY);
    assertThat(reason(ANY, "10.0.0.5", 9092, proxies)).contains(Reason.PROXY);
    assertThat(reason(ANY, "kafka.internal", 9092, proxies, "10.0.0.5")).contains(Reason.PROXY);
    assertThat(reason(ANY, "10.0.0.6", 9092, proxies)).isEmpty();

    assertThat(reason(listing("10.0.0.0/8"), "10.0.0.5", 9092, proxies))
        .as("a network around a proxy does not name it")
        .contains(Reason.PROXY);
    assertThat(reason(listing("10.0.0.5:9092"), "10.0.0.5", 9092, proxies)).isEmpty();
    assertThat(reason(listing("*.example.com"), "gatehouse.example.com", 443, proxies))
        .as("a glob does not name it")
        .contains(Reason.PROXY);
    assertThat(
            reason(
                listing("gatehouse.example.com:443", "10.0.0.5:443"),
                "gatehouse.example.com",
                443,
                proxies,
                "10.0.0.5"))
        .isEmpty();
  }

  @Test
  void aProxyGivenAsALiteralIsKnownByItsAddress() {
    ProxyAddresses proxies = ProxyAddresses.NONE.with("[fd00::7]");
    assertThat(proxies.addresses()).containsExactly(ip("fd00::7"));
    assertThat(reason(ANY, "fd00::7", 1, proxies)).contains(Reason.PROXY);
  }

  @Test
  void refusalsNameTheDestinationTheWatcherAndWhatToList() {
    assertThat(ANY.refusal("127.0.0.1", 3090, List.of(), ProxyAddresses.NONE))
        .map(DestinationRefusal::detail)
        .contains(
            "127.0.0.1 is a loopback address; refused unless"
                + " app_service.resources[0].destinations names it, e.g. '127.0.0.1:3090'");
    assertThat(
            listing("*.example")
                .refusal("rebind.example", 80, List.of(ip("::1")), ProxyAddresses.NONE))
        .map(DestinationRefusal::detail)
        .contains(
            "rebind.example resolved to 0:0:0:0:0:0:0:1, a loopback address; refused unless"
                + " app_service.resources[0].destinations names it, e.g. '[0:0:0:0:0:0:0:1]:80'");
  }
}
