/**
 * Routing: which agents serve a resource and which may take a new session ({@link
 * io.gatehouse.proxy.routing.RoutingTable}, liveness judged against the stream), which this proxy
 * skips after failed dials ({@link io.gatehouse.proxy.routing.Ejections}), and the seam that
 * chooses one ({@link io.gatehouse.proxy.routing.AgentSelector}: pinned first, then among the
 * healthy agents of the best target health as the resource's {@link
 * io.gatehouse.proxy.routing.RoutingPolicy} says). Selection reads memory only; the API's listings
 * scan the store through {@link io.gatehouse.proxy.routing.ResourceListing}.
 */
package io.gatehouse.proxy.routing;
