package io.gatehouse.agent.internal.tunnel;

import io.gatehouse.agent.AgentConfig;
import io.gatehouse.agent.AgentCredentials;
import io.gatehouse.agent.AgentException;
import io.gatehouse.config.HostPort;
import io.gatehouse.pki.AgentCsr;
import io.gatehouse.pki.CaPin;
import io.gatehouse.pki.IssuedCertificate;
import io.gatehouse.pki.Pem;
import io.gatehouse.pki.PkiException;
import io.gatehouse.pki.TlsContexts;
import io.gatehouse.relay.Wire;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

/**
 * An agent's first contact with the cluster: over TLS to a proxy whose CA must match the configured
 * pin (nothing else is trusted yet), it sends its join token and a certificate request for a key it
 * just made, and gets back its certificate and the CA's. The key never leaves the agent; the token
 * is used once and never logged.
 */
public final class AgentJoiner {
  private AgentJoiner() {}

  /**
   * Joins through {@code proxy} as {@code agentId}, asking to serve {@code kinds}.
   *
   * @throws AgentException saying why: the proxy's CA does not match the pin, the proxy cannot be
   *     reached, or it refused the join (its reason: unknown, expired, used-up or wrong-kind token,
   *     or the id taken by another key)
   */
  public static AgentCredentials join(
      HostPort proxy,
      String agentId,
      AgentConfig.Join join,
      Set<String> kinds,
      SecureRandom random,
      Duration timeout) {
    CaPin pin = CaPin.parse(join.caPin());
    KeyPair keys = AgentCsr.generateKeyPair(random);
    String body =
        new JsonObject()
            .put("token", join.token())
            .put("agent_id", agentId)
            .put("kinds", new JsonArray(List.copyOf(kinds)))
            .put("csr", AgentCsr.create(agentId, keys).toPem())
            .encode();
    String where = "agent " + agentId + " cannot join through proxy " + proxy;
    SSLContext tls = TlsContexts.pinned(pin);
    // The proxy shows its cluster certificate to those asking for the tunnel name (it may show
    // users the operator's own). The JDK's client asks for the URI's host by SNI unless it is an
    // address, so the request goes to the address, asking for the tunnel name, and the certificate
    // must name it.
    SSLParameters parameters = tls.getDefaultSSLParameters();
    parameters.setServerNames(List.of(new SNIHostName(Wire.TUNNEL_SERVER_NAME)));
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(tls)
            .sslParameters(parameters)
            .connectTimeout(timeout)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("https://" + address(proxy, where) + Wire.AGENT_JOIN_PATH))
            .timeout(timeout.plusSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (SSLHandshakeException e) {
      throw new AgentException(
          where
              + ": it does not present the cluster CA with pin "
              + pin
              + " ("
              + e.getMessage()
              + ")",
          e);
    } catch (IOException e) {
      throw new AgentException(where + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException(where + ": interrupted", e);
    }
    JsonObject answer;
    try {
      answer = new JsonObject(response.body());
    } catch (DecodeException e) {
      throw new AgentException(where + ": answer " + response.statusCode() + " is not JSON");
    }
    if (response.statusCode() != 200) {
      throw new AgentException(
          where + ": " + answer.getString("error", "refused with " + response.statusCode()));
    }
    try {
      List<X509Certificate> chain = Pem.parseCertificates(answer.getString("certificate", ""));
      X509Certificate ca = Pem.parseCertificates(answer.getString("ca", "")).get(0);
      if (!pin.matches(ca)) {
        throw new AgentException(where + ": it answered with a CA that does not match pin " + pin);
      }
      if (!chain.get(0).getPublicKey().equals(keys.getPublic())) {
        throw new AgentException(where + ": the certificate it sent is not for this agent's key");
      }
      return new AgentCredentials(new IssuedCertificate(keys.getPrivate(), chain), ca);
    } catch (PkiException | IndexOutOfBoundsException e) {
      throw new AgentException(where + ": its certificate is unusable: " + e.getMessage(), e);
    }
  }

  /** {@code proxy} with its host resolved to an address, as a URI authority. */
  private static String address(HostPort proxy, String where) {
    try {
      InetAddress address = InetAddress.getByName(proxy.host());
      String host =
          address instanceof Inet6Address
              ? "[" + address.getHostAddress() + "]"
              : address.getHostAddress();
      return host + ":" + proxy.port();
    } catch (UnknownHostException e) {
      throw new AgentException(where + ": cannot resolve " + proxy.host(), e);
    }
  }
}
