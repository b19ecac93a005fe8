/**
 * Internal: where dynamic resources may point, at run time: the proxies the agent knows, the
 * destination rules of the watchers that matched a resource, and what a refused definition is
 * counted as.
 */
package io.gatehouse.agent.internal.destination;
