/**
 * The agents connected to this proxy: each one's tunnel, accepted on the web port after its
 * certificate has been checked, and the registry routing asks whether an agent can take a session
 * here.
 */
package io.gatehouse.proxy.tunnel;
