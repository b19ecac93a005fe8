/** Internal: the served set, computed from static resources and matched dynamic definitions. */
package io.gatehouse.agent.internal.catalog;
