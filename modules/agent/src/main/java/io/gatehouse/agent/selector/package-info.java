/**
 * Label selectors of dynamic resource watchers ({@link io.gatehouse.agent.selector.LabelSelector}):
 * which resources on {@code gatehouse.resources} an agent serves. Pure and reusable, for example by
 * a proxy that previews which agents a new resource will reach.
 */
package io.gatehouse.agent.selector;
