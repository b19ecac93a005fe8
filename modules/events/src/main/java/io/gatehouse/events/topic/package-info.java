/**
 * The topics of the contract ({@link io.gatehouse.events.topic.Topic}), their names under a
 * configurable prefix, and {@link io.gatehouse.events.topic.TopicBootstrap}, which creates them
 * idempotently and refuses to run on a topic whose cleanup policy breaks the contract.
 */
package io.gatehouse.events.topic;
