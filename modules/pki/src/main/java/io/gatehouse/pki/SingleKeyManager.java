package io.gatehouse.pki;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents one key and chain to every peer that asks, whatever issuers the peer says it accepts:
 * the peer then refuses a certificate it does not trust with a clear alert, instead of this side
 * silently sending none. Offers it only for the key's own type, so TLS never pairs it with a
 * signature scheme it cannot make.
 */
final class SingleKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "gatehouse";

  private final PrivateKey key;
  private final X509Certificate[] chain;

  SingleKeyManager(IssuedCertificate own) {
    this(own.key(), own.chain());
  }

  SingleKeyManager(PrivateKey key, java.util.List<X509Certificate> chain) {
    this.key = key;
    this.chain = chain.toArray(X509Certificate[]::new);
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return choose(keyTypes);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return choose(keyTypes);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return choose(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return choose(keyType);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return aliases(keyType);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return aliases(keyType);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? chain.clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? key : null;
  }

  private String choose(String... keyTypes) {
    return keyTypes != null && Arrays.stream(keyTypes).anyMatch(this::fits) ? ALIAS : null;
  }

  private String[] aliases(String keyType) {
    return fits(keyType) ? new String[] {ALIAS} : null;
  }

  /** TLS 1.3 asks for "EC"; TLS 1.2 for "EC_EC" or "ECDHE_ECDSA"-style compounds. */
  private boolean fits(String keyType) {
    String algorithm = key.getAlgorithm();
    return keyType != null && (keyType.equals(algorithm) || keyType.startsWith(algorithm + "_"));
  }
}
