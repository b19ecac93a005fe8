/**
 * Internal: writing resource heartbeats and the agent beat, with jittered refresh and tombstones.
 */
package io.gatehouse.agent.internal.heartbeat;
