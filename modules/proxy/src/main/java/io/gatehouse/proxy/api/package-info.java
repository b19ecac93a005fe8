/**
 * The REST API on the proxy's web port ({@link io.gatehouse.proxy.api.Api}): resources, agents,
 * sessions, server-sent events, health, readiness and metrics; and the dynamic resource document it
 * accepts ({@link io.gatehouse.proxy.api.ResourceDocument}).
 */
package io.gatehouse.proxy.api;
