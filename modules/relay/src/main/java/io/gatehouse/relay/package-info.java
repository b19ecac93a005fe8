/**
 * The proxy-agent wire protocol ({@code docs/wire-protocol.md}) on Vert.x, shared by the proxy's
 * ingress and the agent's relay so the two ends cannot drift apart: its names ({@link
 * io.gatehouse.relay.Wire}), which headers cross a hop, how an upgrade and a body are recognised,
 * and a response a closed connection cannot break.
 */
package io.gatehouse.relay;
