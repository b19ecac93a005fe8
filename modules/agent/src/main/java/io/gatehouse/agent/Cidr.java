package io.gatehouse.agent;

import java.net.InetAddress;
import java.util.Optional;

/**
 * An IP network: an address with no bits set past its prefix, and the prefix length. IPv4 and IPv6
 * networks never contain each other's addresses (the JDK already reads {@code ::ffff:a.b.c.d} as
 * IPv4).
 *
 * @param base the network's first address
 * @param prefix 0 to 32 for IPv4, 0 to 128 for IPv6
 */
record Cidr(InetAddress base, int prefix) {

  /** The network of the single address {@code address}. */
  static Cidr of(InetAddress address) {
    return new Cidr(address, bits(address));
  }

  /**
   * Parses {@code address} or {@code address/prefix}.
   *
   * @throws IllegalArgumentException with the reason, quoting {@code text}
   */
  static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    Optional<InetAddress> base = IpLiteral.parse(address);
    if (base.isEmpty()) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a CIDR: '"
              + address
              + "' is not an IPv4 or IPv6 address (IPv4 as four decimal parts, no leading zeros)");
    }
    int max = bits(base.get());
    if (slash < 0) {
      return new Cidr(base.get(), max);
    }
    String prefixText = text.substring(slash + 1);
    if (!prefixText.matches("[0-9]{1,3}") || Integer.parseInt(prefixText) > max) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a CIDR: the prefix length must be 0-"
              + max
              + " for "
              + (max == 32 ? "IPv4" : "IPv6")
              + ", got '"
              + prefixText
              + "'");
    }
    int prefix = Integer.parseInt(prefixText);
    Cidr network = new Cidr(base.get(), prefix);
    if (!masked(base.get().getAddress(), prefix)) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a CIDR: the address has bits set past the /" + prefix + " prefix");
    }
    return network;
  }

  /** True when {@code address} is in this network. */
  boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    byte[] b = base.getAddress();
    if (a.length != b.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != b[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (a[full] & mask) == (b[full] & mask);
  }

  /** True when every address of this network is in {@code outer}. */
  boolean within(Cidr outer) {
    return prefix >= outer.prefix && outer.contains(base);
  }

  private static boolean masked(byte[] address, int prefix) {
    for (int bit = prefix; bit < address.length * 8; bit++) {
      if ((address[bit / 8] & (0x80 >> (bit % 8))) != 0) {
        return false;
      }
    }
    return true;
  }

  private static int bits(InetAddress address) {
    return address.getAddress().length * 8;
  }

  @Override
  public String toString() {
    return IpLiteral.text(base) + "/" + prefix;
  }
}
