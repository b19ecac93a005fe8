package io.gatehouse.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DestinationTest {

  private static InetAddress ip(String literal) {
    return IpLiteral.parse(literal).orElseThrow();
  }

  @ParameterizedTest(name = "{0} is a {1}")
  @CsvSource({
    "10.0.0.0/8, NETWORK, 0",
    "127.0.0.1:3090, NETWORK, 3090",
    "10.0.0.0/8:443, NETWORK, 443",
    "::1, NETWORK, 0",
    "fd00::/8, NETWORK, 0",
    "[::1]:8080, NETWORK, 8080",
    "[fd00::/8]:443, NETWORK, 443",
    "db.internal:5432, HOST, 5432",
    "DB.Internal., HOST, 0",
    "*.corp.example.com, SUFFIX, 0",
    "*.corp.example.com:443, SUFFIX, 443",
    ":443, ANY_HOST, 443"
  })
  void parsesEveryForm(String text, Destination.Form form, int port) {
    Destination d = Destination.parse(text);
    assertThat(d.form()).isEqualTo(form);
    assertThat(d.port()).isEqualTo(port == 0 ? Optional.empty() : Optional.of(port));
    assertThat(d.text()).isEqualTo(text);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "10.0.0.0/33 | '10.0.0.0/33' is not a CIDR: the prefix length must be 0-32 for IPv4, got '33'",
        "fd00::/129 | the prefix length must be 0-128 for IPv6",
        "10.0.0.1/8 | has bits set past the /8 prefix",
        "10.0.0.0/x | got 'x'",
        "300.1.2.3 | '300.1.2.3' is neither a CIDR nor a host name",
        "010.0.0.1 | neither a CIDR nor a host name",
        "127.1 | neither a CIDR nor a host name",
        "0x7f000001 | neither a CIDR nor a host name",
        "db.internal:0 | the port must be 1-65535, got '0'",
        "db.internal:70000 | the port must be 1-65535",
        ":https | the port must be 1-65535",
        "[::1 | has '[' without ']'",
        "[::1]8080 | expected ':port' after ']'",
        "[db.internal]:80 | is not a CIDR",
        "db*.internal | a host glob is written *.suffix",
        "* | a host glob is written *.suffix",
        "under_score.ok.-bad | '-bad' is not a DNS label",
        "\" \" | an empty destination"
      })
  void refusesWhatItCannotParseNamingTheEntry(String text, String reason) {
    assertThatThrownBy(() -> Destination.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void aNetworkMatchesItsAddressesOnItsPortAndNoName() {
    Destination d = Destination.parse("10.0.0.0/8:5432");
    assertThat(d.allowsAddress(ip("10.200.3.4"), 5432)).isTrue();
    assertThat(d.allowsAddress(ip("10.200.3.4"), 5433)).isFalse();
    assertThat(d.allowsAddress(ip("11.0.0.1"), 5432)).isFalse();
    assertThat(d.allowsAddress(ip("::ffff:10.0.0.1"), 5432))
        .as("an IPv4-mapped IPv6 address is its IPv4 address")
        .isTrue();
    assertThat(d.allowsName("10.0.0.1.example.com", 5432)).isFalse();
  }

  @Test
  void anIpv6NetworkMatchesByPrefix() {
    Destination d = Destination.parse("fd00:1234::/32");
    assertThat(d.allowsAddress(ip("fd00:1234:ffff::1"), 80)).isTrue();
    assertThat(d.allowsAddress(ip("fd00:1235::1"), 80)).isFalse();
    assertThat(d.allowsAddress(ip("10.0.0.1"), 80)).as("never across families").isFalse();
    assertThat(Destination.parse("[::1]:8080").allowsAddress(ip("::1"), 8080)).isTrue();
    assertThat(Destination.parse("0.0.0.0/0").allowsAddress(ip("203.0.113.9"), 1)).isTrue();
  }

  @Test
  void aPrefixThatIsNotAByteBoundaryMatchesExactly() {
    Destination d = Destination.parse("192.168.4.0/22");
    assertThat(d.allowsAddress(ip("192.168.7.255"), 1)).isTrue();
    assertThat(d.allowsAddress(ip("192.168.8.0"), 1)).isFalse();
    assertThat(d.allowsAddress(ip("192.168.3.255"), 1)).isFalse();
  }

  @Test
  void aHostMatchesItsNameCaseInsensitivelyAndAGlobOnlyNamesBelowItsSuffix() {
    Destination host = Destination.parse("DB.internal:5432");
    assertThat(host.allowsName("db.internal", 5432)).isTrue();
    assertThat(host.allowsName("db.internal", 5433)).isFalse();
    assertThat(host.allowsName("x.db.internal", 5432)).isFalse();
    assertThat(host.allowsAddress(ip("10.0.0.1"), 5432)).isFalse();

    Destination glob = Destination.parse("*.corp.example.com");
    assertThat(glob.allowsName("git.corp.example.com", 443)).isTrue();
    assertThat(glob.allowsName("a.b.corp.example.com", 22)).isTrue();
    assertThat(glob.allowsName("corp.example.com", 443)).as("not the suffix itself").isFalse();
    assertThat(glob.allowsName("evilcorp.example.com", 443)).isFalse();
  }

  @Test
  void aPortAloneMatchesAnyHostOnThatPort() {
    Destination d = Destination.parse(":443");
    assertThat(d.allowsName("anything.example", 443)).isTrue();
    assertThat(d.allowsAddress(ip("203.0.113.9"), 443)).isTrue();
    assertThat(d.allowsAddress(ip("203.0.113.9"), 80)).isFalse();
  }

  @Test
  void equalEntriesAreEqualHoweverWritten() {
    assertThat(Destination.parse("DB.internal")).isEqualTo(Destination.parse("db.internal."));
    assertThat(Destination.parse("::1")).isEqualTo(Destination.parse("[0:0:0:0:0:0:0:1]"));
    assertThat(Destination.parse("::1")).isNotEqualTo(Destination.parse("[::1]:80"));
  }
}
