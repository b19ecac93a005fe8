/**
 * Join tokens: issuing, listing and removing them ({@link io.gatehouse.proxy.join.JoinTokens}), and
 * the decision the join endpoint asks for when an agent presents one ({@link
 * io.gatehouse.proxy.join.JoinTokens#redeem}). Tokens live on the compacted {@code tokens} topic as
 * keyed hashes only; the uses claimed of a token are records in the same partition, so every proxy
 * reads them in one order and all agree which claims fit within the token's uses.
 */
package io.gatehouse.proxy.join;
