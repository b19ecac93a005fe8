/** Internal: the agent's Prometheus scrape endpoint. */
package io.gatehouse.agent.internal.metrics;
