/**
 * Sessions: random 128-bit ids ({@link io.gatehouse.relay.SessionId}) and the pins that keep a
 * session on its agent ({@link io.gatehouse.proxy.session.SessionPins}), written to local state at
 * once and to {@code gatehouse.sessions} for every other proxy.
 */
package io.gatehouse.proxy.session;
