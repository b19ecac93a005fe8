package io.gatehouse.agent.internal.destination;

import io.gatehouse.agent.ProxyAddresses;
import io.gatehouse.config.HostPort;
import java.net.InetAddress;

/**
 * The proxies an agent has known since it started: every address it was told to dial ({@code
 * agent.proxy}, the proxy list on control streams) and every address a tunnel was connected to.
 * Nothing is forgotten, so a proxy that went away stays refused as a destination. Thread-safe;
 * {@link #known()} is lock-free.
 */
public final class ProxyDirectory {
  private volatile ProxyAddresses known = ProxyAddresses.NONE;

  /** Adds the host of a proxy address the agent dials (a name or a literal). */
  public synchronized void dialing(HostPort proxy) {
    known = known.with(proxy.host());
  }

  /** Adds the address a tunnel to a proxy is connected to. */
  public void connectedTo(InetAddress address) {
    if (known.addresses().contains(address)) {
      return;
    }
    synchronized (this) {
      known = known.with(address);
    }
  }

  /** What is known right now. */
  public ProxyAddresses known() {
    return known;
  }
}
