/**
 * Writing the proxy's events (session pins, audit events, resource definitions) to Kafka through
 * one idempotent producer, never blocking an event loop.
 */
package io.gatehouse.proxy.publish;
