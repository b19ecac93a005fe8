/**
 * The agent's tunnels: one dialed connection to every proxy, kept up with jittered back-off; every
 * session arrives as a stream on one of them.
 */
package io.gatehouse.agent.internal.tunnel;
