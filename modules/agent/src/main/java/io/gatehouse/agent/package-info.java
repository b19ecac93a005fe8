/**
 * The Gatehouse agent: serves static and dynamic resources, heartbeats each one and itself, and
 * relays proxies' sessions to upstreams.
 *
 * <p>Entry points: {@link io.gatehouse.agent.AgentConfig#load(java.nio.file.Path)} reads and
 * validates {@code agent.yaml}; {@link io.gatehouse.agent.Agent#start(AgentConfig)} (or {@link
 * io.gatehouse.agent.Agent#builder(AgentConfig)} with an injected clock, randomness and meter
 * registry) runs it; {@link io.gatehouse.agent.Agent#close()} stops it gracefully. Label selectors
 * are {@link io.gatehouse.events.resource.LabelSelector}; everything under {@code
 * io.gatehouse.agent.internal} is implementation and may change without notice.
 */
package io.gatehouse.agent;
