/** Internal: the resource definitions a proxy streams down the control stream, into the catalog. */
package io.gatehouse.agent.internal.watch;
