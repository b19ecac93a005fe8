/**
 * The user's side of a TCP tunnel through a proxy ({@link io.gatehouse.proxy.client.TunnelClient}),
 * for the CLI's {@code tunnel} command and for tests.
 */
package io.gatehouse.proxy.client;
