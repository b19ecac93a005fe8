/**
 * An embedded Kafka broker (KRaft mode): a single node for development mode and integration tests,
 * or one node of a multi-node cluster.
 *
 * <p>{@link io.gatehouse.broker.EmbeddedKafka} is the entry point, {@link
 * io.gatehouse.broker.KafkaQuorum} and {@link io.gatehouse.broker.SaslSslListener} describe a node
 * of a cluster and its secured listener; everything else in this package is an implementation
 * detail. Its failures are {@link io.gatehouse.broker.EmbeddedKafkaException}s. A started broker
 * keeps the JVM alive until it is closed.
 */
package io.gatehouse.broker;
