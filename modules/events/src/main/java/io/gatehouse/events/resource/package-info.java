/**
 * What makes a resource valid, written once: {@link io.gatehouse.events.resource.ResourceRules}
 * holds the name, label-key, protocol and per-kind URI rules that the proxy's API and the agent's
 * configuration both apply, with the reasons they report; {@link
 * io.gatehouse.events.resource.LabelSelector} holds what selecting resources by label means, for
 * agents' watchers and for roles alike.
 */
package io.gatehouse.events.resource;
