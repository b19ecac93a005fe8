/**
 * HTTP relay rules on Vert.x that the proxy's ingress and the agent's relay share: which headers
 * cross a hop, how an upgrade and a body are recognised, and a response a closed connection cannot
 * break.
 */
package io.gatehouse.relay;
