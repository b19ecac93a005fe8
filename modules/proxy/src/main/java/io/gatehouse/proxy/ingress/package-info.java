/**
 * User traffic on the web port ({@link io.gatehouse.proxy.ingress.Ingress}): HTTP apps and
 * Kubernetes by host name with streaming bodies and WebSocket pass-through, TCP resources through
 * {@code gatehouse-tunnel/1} upgrades, each session handed to an agent with retries and ejection,
 * and every failure mapped to a user-facing status in one place ({@link
 * io.gatehouse.proxy.ingress.Failures}).
 */
package io.gatehouse.proxy.ingress;
