/**
 * What the agent tells its proxies it serves, up the control streams of its tunnels: the proxies
 * write the heartbeats on its behalf.
 */
package io.gatehouse.agent.internal.heartbeat;
