/**
 * The one way Gatehouse talks to Kafka: {@link io.gatehouse.kafka.KafkaSettings} (where the cluster
 * is and how to reach it, validated once), {@link io.gatehouse.kafka.KafkaClients} (every producer,
 * consumer and admin client is built there), and {@link io.gatehouse.kafka.TopicSetup} over {@link
 * io.gatehouse.kafka.TopicBootstrap} (the contract's topics, until a deadline or in the background,
 * retrying with the lifecycle module's jittered {@code Backoff}), {@link
 * io.gatehouse.kafka.KafkaSecurity} (TLS and the SCRAM login every client of a process shares) and
 * {@link io.gatehouse.kafka.KafkaAcls} (the ACLs of each role). Failures are {@link
 * io.gatehouse.kafka.TopicContractException}s naming the topics and the bootstrap.
 */
package io.gatehouse.kafka;
