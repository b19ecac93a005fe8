/**
 * The proxy's configuration file, {@code proxy.yaml}, read once into the immutable {@link
 * io.gatehouse.proxy.config.ProxyConfig}; a bad file fails with file, key path and reason.
 */
package io.gatehouse.proxy.config;
