/**
 * The topics of the contract ({@link io.gatehouse.events.topic.Topic}): their names under a
 * configurable prefix, partitions and the configs (cleanup policy, retention) they are created
 * with. Creating them is the kafka module's {@code TopicBootstrap}.
 */
package io.gatehouse.events.topic;
