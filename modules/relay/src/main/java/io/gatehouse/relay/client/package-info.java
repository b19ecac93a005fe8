/**
 * The user's side of a TCP tunnel through a proxy ({@link io.gatehouse.relay.client.TunnelClient}),
 * for the CLI's {@code tunnel} command, the bench suite and tests. It speaks the wire protocol's
 * user end and depends on no proxy code.
 */
package io.gatehouse.relay.client;
