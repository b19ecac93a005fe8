/**
 * The cluster's trust material, held by proxies in one directory ({@code proxy.ca.dir}): the
 * cluster CA that signs proxy and agent certificates and the cluster secret whose keyed hashes
 * stand in for bearer secrets (session ids, join tokens) wherever they would otherwise be written
 * down. Nothing here opens a connection; it makes the TLS contexts others connect with.
 *
 * <ul>
 *   <li>{@link io.gatehouse.pki.ClusterCa}: {@code init}/{@code load} the CA directory, {@code
 *       issueProxy} a key and certificate for a proxy, {@code signAgent} an agent's {@link
 *       io.gatehouse.pki.AgentCsr}.
 *   <li>{@link io.gatehouse.pki.CertificateIdentity}: who a certificate names (agent or proxy, id,
 *       kinds).
 *   <li>{@link io.gatehouse.pki.CaPin}: {@code sha256:<hex>} of the CA key, for joins.
 *   <li>{@link io.gatehouse.pki.IssuedCertificate} and {@link io.gatehouse.pki.Pem}: keys and
 *       chains on disk and as text.
 *   <li>{@link io.gatehouse.pki.TlsContexts} and {@link io.gatehouse.pki.PinnedTrustManager}: TLS
 *       1.3 contexts that trust the cluster CA (or a pin) and nothing else.
 * </ul>
 */
package io.gatehouse.pki;
