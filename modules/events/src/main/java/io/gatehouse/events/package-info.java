/**
 * The public event contract of Gatehouse: the Avro records generated from {@code schemas/*.avsc}
 * ({@link io.gatehouse.events.ResourceDefinition}, {@link io.gatehouse.events.ResourceHeartbeat},
 * {@link io.gatehouse.events.AgentBeat}, {@link io.gatehouse.events.SessionPin}, {@link
 * io.gatehouse.events.AuditEvent}, {@link io.gatehouse.events.TokenEvent}), resource kinds and
 * record keys.
 *
 * <p>Encoding lives in {@link io.gatehouse.events.codec}, topic names and their settings in {@link
 * io.gatehouse.events.topic}. Talking to Kafka (clients, creating the topics) is the kafka module's
 * job, so this module stays the pure contract.
 */
package io.gatehouse.events;
