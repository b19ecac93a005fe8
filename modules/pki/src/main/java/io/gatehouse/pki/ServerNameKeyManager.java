package io.gatehouse.pki;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A server's key manager with two identities, chosen by the server name the client asks for (SNI,
 * as the JDK's handshake reports it): the {@code named} one to clients that ask for {@code name},
 * the default one to every other client, those that send no name included. Aliases carry which
 * identity they belong to, so a chain is never paired with the other identity's key.
 */
final class ServerNameKeyManager extends X509ExtendedKeyManager {
  private static final String NAMED = "named:";
  private static final String DEFAULT = "default:";

  private final X509ExtendedKeyManager byDefault;
  private final String name;
  private final X509ExtendedKeyManager named;

  ServerNameKeyManager(
      X509ExtendedKeyManager byDefault, String name, X509ExtendedKeyManager named) {
    this.byDefault = byDefault;
    this.name = name.toLowerCase(Locale.ROOT);
    this.named = named;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    boolean asked = asksForName(engine == null ? null : engine.getHandshakeSession());
    X509ExtendedKeyManager chosen = asked ? named : byDefault;
    String alias = chosen.chooseEngineServerAlias(keyType, issuers, engine);
    return alias == null ? null : (asked ? NAMED : DEFAULT) + alias;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    boolean asked = socket instanceof SSLSocket tls && asksForName(tls.getHandshakeSession());
    X509ExtendedKeyManager chosen = asked ? named : byDefault;
    String alias = chosen.chooseServerAlias(keyType, issuers, socket);
    return alias == null ? null : (asked ? NAMED : DEFAULT) + alias;
  }

  private boolean asksForName(SSLSession session) {
    if (!(session instanceof ExtendedSSLSession extended)) {
      return false;
    }
    List<SNIServerName> names = extended.getRequestedServerNames();
    for (SNIServerName n : names) {
      if (n instanceof SNIHostName host
          && host.getAsciiName().toLowerCase(Locale.ROOT).equals(name)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    if (alias == null) {
      return null;
    }
    if (alias.startsWith(NAMED)) {
      return named.getCertificateChain(alias.substring(NAMED.length()));
    }
    return alias.startsWith(DEFAULT)
        ? byDefault.getCertificateChain(alias.substring(DEFAULT.length()))
        : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    if (alias == null) {
      return null;
    }
    if (alias.startsWith(NAMED)) {
      return named.getPrivateKey(alias.substring(NAMED.length()));
    }
    return alias.startsWith(DEFAULT)
        ? byDefault.getPrivateKey(alias.substring(DEFAULT.length()))
        : null;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  // A server's key manager: it never acts as a client.

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }
}
