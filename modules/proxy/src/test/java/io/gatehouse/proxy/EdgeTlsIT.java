package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.config.HostPort;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.IssuedCertificate;
import io.gatehouse.pki.Pem;
import io.gatehouse.pki.TlsContexts;
import io.gatehouse.proxy.join.IssuedToken;
import io.gatehouse.proxy.join.TokenRequest;
import io.gatehouse.relay.Wire;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.http.HttpServer;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge with the operator's own certificate ({@code proxy.tls}) and a plaintext listener for a
 * balancer ({@code proxy.plaintext_listen}), on real sockets: users are shown the operator's
 * certificate, agents asking for {@link Wire#TUNNEL_SERVER_NAME} the cluster's, so an agent joins
 * and tunnels through a proxy whose users never see the cluster CA; the plaintext listener serves
 * users (the client's address from the balancer's {@code X-Forwarded-For}) and no agent.
 */
class EdgeTlsIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  @TempDir static Path files;

  private static ClusterCa operatorCa;
  private static Proxy harness;
  private static Proxy edge;
  private static HttpClient operatorTrusting;

  @BeforeAll
  static void start() throws Exception {
    operatorCa =
        ClusterCa.init(files.resolve("operator-ca"), Clock.systemUTC(), new SecureRandom());
    IssuedCertificate issued =
        operatorCa.issueProxy(
            "edge",
            List.of("localhost", "*.localhost"),
            List.of(InetAddress.getByName("127.0.0.1")),
            Duration.ofDays(1));
    Path cert = files.resolve("edge.crt");
    Path key = files.resolve("edge.key");
    Pem.writeCertificates(cert, List.of(issued.chain().get(0)));
    Pem.writePrivateKey(key, issued.key());
    // The harness's own proxy first (it writes the admin); then the one under test.
    harness = cluster.proxy("proxy-harness");
    edge =
        cluster.proxy(
            "proxy-edge",
            "tls: { cert_file: \"%s\", key_file: \"%s\" }\n  plaintext_listen: \"127.0.0.1:0\""
                .formatted(cert, key));
    operatorTrusting =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(TlsContexts.trusting(operatorCa.certificate()))
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  @Test
  void usersAreShownTheOperatorsCertificateAndAgentsTheClusters() throws Exception {
    HttpResponse<String> health =
        operatorTrusting.send(
            HttpRequest.newBuilder(
                    URI.create("https://localhost:" + edge.webAddress().port() + "/healthz"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    X509Certificate shown =
        (X509Certificate) health.sslSession().orElseThrow().getPeerCertificates()[0];
    assertThat(shown.getIssuerX500Principal())
        .isEqualTo(operatorCa.certificate().getSubjectX500Principal());

    HttpClient clusterTrusting =
        HttpClient.newBuilder().sslContext(TlsContexts.trusting(web.ca())).build();
    assertThatThrownBy(
            () ->
                clusterTrusting.send(
                    HttpRequest.newBuilder(
                            URI.create(
                                "https://localhost:" + edge.webAddress().port() + "/healthz"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .hasCauseInstanceOf(SSLHandshakeException.class);

    X509Certificate toAgents = handshakeAsAgent(edge.webAddress());
    assertThat(toAgents.getIssuerX500Principal()).isEqualTo(web.ca().getSubjectX500Principal());
    assertThat(toAgents.getSubjectAlternativeNames())
        .anyMatch(name -> Wire.TUNNEL_SERVER_NAME.equals(name.get(1)));
  }

  @Test
  void anAgentJoinsAndServesThroughAProxyShowingTheOperatorsCertificate() throws Exception {
    HttpServer app = web.upstream(request -> request.response().end("served"));
    IssuedToken token =
        cluster
            .tokens()
            .add(
                new TokenRequest(
                    Set.of(ResourceKind.APP),
                    Duration.ofMinutes(10),
                    OptionalInt.of(1),
                    "edge-it",
                    null))
            .toCompletableFuture()
            .join();
    String pin = cluster.ca().pin().toString();
    // Retried while the edge proxy has not yet read the new token (it refuses it as unknown).
    Eventually.within(Cluster.WAIT)
        .untilAsserted(
            () ->
                cluster.joiningAgent(
                    "agent-edge",
                    "join",
                    "app_service:\n  apps: [ { name: edgeapp, uri: \"http://127.0.0.1:%d\" } ]"
                        .formatted(app.actualPort()),
                    token.token(),
                    pin,
                    edge.webAddress()));
    Eventually.within(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(appThroughEdge("edgeapp").statusCode()).isEqualTo(200));
    HttpResponse<String> r = appThroughEdge("edgeapp");
    assertThat(r.body()).isEqualTo("served");
  }

  @Test
  void thePlaintextListenerServesUsersByTheirForwardedAddressAndNoAgent() throws Exception {
    HostPort plain = edge.plaintextAddress().orElseThrow();
    // The JDK client offers cleartext HTTP/2 (h2c) first, as some balancers do; it gets HTTP/1.1.
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> health =
        client.send(
            HttpRequest.newBuilder(URI.create("http://" + plain + "/healthz")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);

    HttpResponse<String> listing =
        client.send(
            HttpRequest.newBuilder(URI.create("http://" + plain + "/v1/resources"))
                .header("Host", "localhost")
                .header("Authorization", "Bearer " + web.bearer())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(listing.statusCode()).as(listing.body()).isEqualTo(200);

    HttpResponse<String> anonymous =
        client.send(
            HttpRequest.newBuilder(URI.create("http://" + plain + "/v1/resources"))
                .header("Host", "localhost")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);

    HttpResponse<String> join =
        client.send(
            HttpRequest.newBuilder(URI.create("http://" + plain + Wire.AGENT_JOIN_PATH))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(join.statusCode()).isEqualTo(421);
    assertThat(join.body()).contains("TLS port");

    HttpServer app = web.upstream(request -> request.response().end("plain"));
    cluster.app("agent-plain", "plainapp", app.actualPort());
    cluster.awaitHealthy(harness.webAddress(), "app", "plainapp", 1);
    HttpRequest viaBalancer =
        HttpRequest.newBuilder(URI.create("http://" + plain + "/"))
            .header("Host", "plainapp.localhost")
            .header("Gatehouse-Authorization", "Bearer " + web.bearer())
            .header("X-Forwarded-For", "198.51.100.7, 203.0.113.9")
            .build();
    Eventually.within(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        client.send(viaBalancer, HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200));
    Eventually.within(Duration.ofSeconds(15))
        .until(
            () ->
                cluster.audit("session.start", "app/plainapp").stream()
                    .map(AuditEvent::getDetails)
                    .anyMatch(d -> "203.0.113.9".equals(d.get("remote"))));
  }

  private static HttpResponse<String> appThroughEdge(String app) throws Exception {
    return operatorTrusting.send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + edge.webAddress().port() + "/"))
            .header("Host", app + ".localhost:" + edge.webAddress().port())
            .header("Gatehouse-Authorization", "Bearer " + web.bearer())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The certificate the proxy shows a client asking for the tunnel name, trusting the cluster CA.
   */
  private static X509Certificate handshakeAsAgent(HostPort proxy) throws Exception {
    SSLContext tls = TlsContexts.trusting(web.ca());
    try (SSLSocket socket =
        (SSLSocket) tls.getSocketFactory().createSocket(proxy.host(), proxy.port())) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setServerNames(List.of(new SNIHostName(Wire.TUNNEL_SERVER_NAME)));
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }
}
