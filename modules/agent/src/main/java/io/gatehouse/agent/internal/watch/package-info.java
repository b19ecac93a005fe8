/** Internal: following {@code gatehouse.resources} into the agent's state store and the catalog. */
package io.gatehouse.agent.internal.watch;
