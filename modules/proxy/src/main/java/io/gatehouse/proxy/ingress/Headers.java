package io.gatehouse.proxy.ingress;

import io.gatehouse.events.wire.Wire;
import java.util.Set;

/**
 * The wire protocol's names as the ingress uses them; what crosses a hop is {@link
 * io.gatehouse.relay.HopHeaders}.
 */
final class Headers {
  static final String RESOURCE = Wire.RESOURCE;
  static final String SESSION = Wire.SESSION;
  static final String PROXY = Wire.PROXY;
  static final String AGENT = Wire.AGENT;
  static final String ERROR = Failures.ERROR_HEADER;
  static final String PREFIX = Wire.PREFIX;
  static final String TUNNEL_PROTOCOL = Wire.TUNNEL_PROTOCOL;
  static final String AGENT_TUNNEL_PATH = Wire.TUNNEL_PATH;

  /** Codes of the wire protocol after which another agent may succeed. */
  static final Set<String> RETRYABLE_CODES = Wire.RETRYABLE_CODES;

  private Headers() {}
}
