/**
 * Reading YAML configuration files into immutable values, validated once at start.
 *
 * <p>{@link io.gatehouse.config.ConfigDocument} parses a file safely (plain maps, lists and scalars
 * only); {@link io.gatehouse.config.ConfigNode} reads it through typed getters with defaults,
 * recording every problem at its key path instead of stopping at the first; and {@link
 * io.gatehouse.config.ConfigDocument#requireValid()} adds unknown keys and throws one {@link
 * io.gatehouse.config.ConfigException} whose message lists {@code file: key.path: reason} per line.
 * {@link io.gatehouse.config.ValueParser} holds the shared validators: DNS-label names, {@code
 * host:port}, URIs by scheme and durations such as {@code 500ms}, {@code 1s}, {@code 3m}; {@link
 * io.gatehouse.config.NodeId} the id rule and default id of agents and proxies.
 */
package io.gatehouse.config;
