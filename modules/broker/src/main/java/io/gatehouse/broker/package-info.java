/**
 * An embedded single-node Kafka broker (KRaft mode) for development mode and integration tests.
 *
 * <p>{@link io.gatehouse.broker.EmbeddedKafka} is the only entry point; everything else in this
 * package is an implementation detail. Its failures are {@link
 * io.gatehouse.broker.EmbeddedKafkaException}s. A started broker keeps the JVM alive until it is
 * closed.
 */
package io.gatehouse.broker;
