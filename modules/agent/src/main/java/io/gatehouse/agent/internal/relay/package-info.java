/**
 * Internal: the proxy-facing listener (wire protocol v1), the HTTP reverse proxy and the TCP
 * tunnel.
 */
package io.gatehouse.agent.internal.relay;
