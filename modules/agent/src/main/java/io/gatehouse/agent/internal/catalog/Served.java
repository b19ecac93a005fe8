package io.gatehouse.agent.internal.catalog;

import io.gatehouse.agent.ServedResource;
import io.gatehouse.agent.internal.relay.Upstream;

/**
 * A served resource with its upstream, derived once when it starts being served.
 *
 * @param resource what is heartbeated
 * @param upstream where sessions go
 */
public record Served(ServedResource resource, Upstream upstream) {}
