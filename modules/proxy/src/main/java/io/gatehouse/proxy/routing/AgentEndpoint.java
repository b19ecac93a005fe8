package io.gatehouse.proxy.routing;

import java.util.Objects;

/**
 * An agent as a dial target.
 *
 * @param agentId the agent's id
 * @param address {@code host:port} the agent advertises
 */
public record AgentEndpoint(String agentId, String address) {
  public AgentEndpoint {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(address, "address");
  }

  /** The host part of {@link #address}, without brackets. */
  public String host() {
    int colon = address.lastIndexOf(':');
    String host = colon < 0 ? address : address.substring(0, colon);
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** The port part of {@link #address}; -1 when it has none. */
  public int port() {
    int colon = address.lastIndexOf(':');
    try {
      return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
