/**
 * Sessions: the pins that keep a session on its agent ({@link
 * io.gatehouse.proxy.session.SessionPins}), keyed by the keyed hash ({@link
 * io.gatehouse.proxy.session.SessionKeys}) of random 128-bit ids ({@link
 * io.gatehouse.relay.SessionId}) so that no topic holds a cookie, written to local state at once
 * and to {@code gatehouse.sessions} for every other proxy; {@link
 * io.gatehouse.proxy.session.SessionSweeper} ends and audits the idle and orphaned ones.
 */
package io.gatehouse.proxy.session;
