package io.gatehouse.agent.internal.tunnel;

import io.gatehouse.relay.tunnel.TunnelStream;
import io.vertx.core.json.JsonObject;

/**
 * Who else reads the control streams {@link ProxyLinks} keeps: told when one opens, of each line
 * ProxyLinks does not handle itself (it handles the proxy set and renewals), and when one closes.
 * Called on the stream's event loop; must not block.
 */
public interface ControlListener {
  /** The control stream of the tunnel to proxy {@code proxyId} is open. */
  void opened(String proxyId, TunnelStream stream);

  /** A line arrived on it. */
  void line(String proxyId, TunnelStream stream, JsonObject message);

  /** It closed, with its tunnel. */
  void closed(String proxyId, TunnelStream stream);

  /** Listens to nothing. */
  ControlListener NONE =
      new ControlListener() {
        @Override
        public void opened(String proxyId, TunnelStream stream) {}

        @Override
        public void line(String proxyId, TunnelStream stream, JsonObject message) {}

        @Override
        public void closed(String proxyId, TunnelStream stream) {}
      };
}
