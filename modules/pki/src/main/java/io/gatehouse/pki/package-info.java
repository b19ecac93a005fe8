/**
 * The cluster's trust material, held by proxies in one directory ({@code proxy.ca.dir}): the
 * cluster CA that signs proxy and agent certificates and the cluster secret whose keyed hashes
 * stand in for bearer secrets (session ids, join tokens) wherever they would otherwise be written
 * down. Nothing here talks to the network.
 */
package io.gatehouse.pki;
