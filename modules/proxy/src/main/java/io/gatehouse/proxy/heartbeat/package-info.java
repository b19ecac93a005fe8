/**
 * Resource heartbeats written on the agents' behalf: what an agent says it serves, up its tunnel's
 * control stream, checked against its certificate ({@link io.gatehouse.proxy.heartbeat.ServeLine})
 * and written to {@code gatehouse.heartbeats} by one proxy per agent ({@link
 * io.gatehouse.proxy.heartbeat.HeartbeatWriter}).
 */
package io.gatehouse.proxy.heartbeat;
