/**
 * Agent tunnels: the one connection an agent keeps to each proxy, over which the proxy opens a
 * stream per session. HTTP/2 with reversed roles (the agent dials, the proxy is the HTTP/2 client),
 * pings for liveness, and a bridge from each stream to Vert.x's streams; {@code
 * docs/wire-protocol.md} describes what travels on it.
 */
package io.gatehouse.relay.tunnel;
