/**
 * Shared fixtures for Gatehouse tests: one embedded Kafka broker per test class ({@link
 * io.gatehouse.testkit.KafkaBrokerExtension}), waiting on a condition with a deadline instead of
 * sleeping ({@link io.gatehouse.testkit.Eventually}), a clock tests move by hand ({@link
 * io.gatehouse.testkit.MutableClock}), and a strict reader of the Prometheus text format for
 * scraped {@code /metrics} ({@link io.gatehouse.testkit.PrometheusText}).
 *
 * <p>Depend on this module in test scope only. Its {@code logback-test.xml} keeps Kafka's loggers
 * at WARN in every module that does.
 */
package io.gatehouse.testkit;
