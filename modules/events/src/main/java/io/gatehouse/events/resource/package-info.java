/**
 * What makes a resource valid, written once: {@link io.gatehouse.events.resource.ResourceRules}
 * holds the name, label-key, protocol and per-kind URI rules that the proxy's API and the agent's
 * configuration both apply, with the reasons they report.
 */
package io.gatehouse.events.resource;
