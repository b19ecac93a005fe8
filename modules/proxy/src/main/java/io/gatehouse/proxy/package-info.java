/**
 * The Gatehouse proxy: {@link io.gatehouse.proxy.Proxy} starts one from a {@link
 * io.gatehouse.proxy.config.ProxyConfig}. It materializes the contract's topics into its local
 * state, sends every new session to a random healthy agent and keeps it there ({@code routing},
 * {@code session}), relays HTTP and TCP traffic on one web port ({@code ingress}), serves the REST
 * API ({@code api}) and writes audit events ({@code audit}). {@code docs/proxy.md} is the
 * operator's reference.
 */
package io.gatehouse.proxy;
