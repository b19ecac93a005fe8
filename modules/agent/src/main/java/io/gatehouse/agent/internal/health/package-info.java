/**
 * Internal: the agent's checks of the upstreams it serves, and the target health they conclude,
 * which travels in the heartbeats and decides where proxies send new sessions.
 */
package io.gatehouse.agent.internal.health;
