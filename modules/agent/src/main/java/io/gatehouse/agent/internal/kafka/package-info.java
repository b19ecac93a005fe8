/** Internal: Kafka client settings, topic setup at start, and jittered back-off. */
package io.gatehouse.agent.internal.kafka;
