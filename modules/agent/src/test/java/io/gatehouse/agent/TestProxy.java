package io.gatehouse.agent;

import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.pki.CertificateIdentity;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.IssuedCertificate;
import io.gatehouse.pki.Pem;
import io.gatehouse.pki.PkiException;
import io.gatehouse.relay.Splice;
import io.gatehouse.relay.Wire;
import io.gatehouse.relay.tunnel.Tunnel;
import io.gatehouse.relay.tunnel.TunnelSettings;
import io.gatehouse.relay.tunnel.TunnelStream;
import io.gatehouse.relay.tunnel.TunnelUpgrade;
import io.gatehouse.testkit.Eventually;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.parsetools.RecordParser;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The agent-tunnel end of a proxy, for the agent's tests: a Vert.x HTTPS server on 127.0.0.1 with a
 * certificate from a throwaway cluster CA, asking for client certificates, that accepts {@code GET
 * /v1/agent/tunnel} from an agent whose certificate the CA signed (as {@code AgentTunnels} does)
 * and keeps its {@link Tunnel}. The test then opens sessions on that tunnel with {@link #open}: a
 * small blocking client of wire protocol v2.
 */
final class TestProxy implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String PROXY_ID = "proxy-test";
  static final String SESSION_ID = "0123456789abcdef0123456789abcdef";
  static final Set<String> ALL_KINDS =
      Arrays.stream(ResourceKind.values()).map(ResourceKind::word).collect(Collectors.toSet());

  private final ClusterCa ca;
  private final VertxInternal vertx;
  private final HttpServer server;
  private final Map<String, Tunnel> tunnels = new ConcurrentHashMap<>();
  private final AtomicInteger tunnelsAccepted = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final Map<String, TunnelStream> controls = new ConcurrentHashMap<>();
  private final Map<String, List<JsonObject>> lines = new ConcurrentHashMap<>();

  private TestProxy(ClusterCa ca, IssuedCertificate presented) {
    this.ca = ca;
    this.vertx = (VertxInternal) Vertx.vertx();
    HttpServerOptions options =
        new HttpServerOptions()
            .setSsl(true)
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .addKeyValue(Buffer.buffer(Pem.privateKey(presented.key())))
                    .addCertValue(Buffer.buffer(Pem.certificates(presented.chain()))))
            .setTrustOptions(
                new PemTrustOptions()
                    .addCertValue(Buffer.buffer(Pem.certificates(List.of(ca.certificate())))))
            .setClientAuth(ClientAuth.REQUEST);
    this.server =
        await(
            vertx
                .createHttpServer(options)
                // Every connection attempt is one or the other: a handshake done, or one failed.
                .connectionHandler(c -> connections.incrementAndGet())
                .exceptionHandler(e -> connections.incrementAndGet())
                .requestHandler(this::accept)
                .listen(0, "127.0.0.1"));
  }

  /** A proxy with a new cluster CA in {@code caDir}, presenting a proxy certificate from it. */
  static TestProxy start(Path caDir) {
    ClusterCa ca = ClusterCa.init(caDir, Clock.systemUTC(), new SecureRandom());
    return new TestProxy(ca, proxyCertificate(ca));
  }

  /** A proxy trusting agents of {@code ca} but presenting {@code presented}, right or wrong. */
  static TestProxy start(ClusterCa ca, IssuedCertificate presented) {
    return new TestProxy(ca, presented);
  }

  /**
   * A proxy certificate from {@code ca} for 127.0.0.1, localhost and the tunnel name agents ask
   * every proxy for.
   */
  static IssuedCertificate proxyCertificate(ClusterCa ca) {
    return ca.issueProxy(
        PROXY_ID,
        List.of("localhost", io.gatehouse.relay.Wire.TUNNEL_SERVER_NAME),
        List.of(InetAddress.getLoopbackAddress()),
        Duration.ofHours(1));
  }

  /** Where agents dial this proxy. */
  HostPort address() {
    return new HostPort("127.0.0.1", server.actualPort());
  }

  ClusterCa ca() {
    return ca;
  }

  /** Gives agent {@code agentId} credentials from this proxy's CA in {@code dataDir}. */
  Path provision(String agentId, Path dataDir) {
    AgentCredentials.issue(ca, agentId, ALL_KINDS, Duration.ofHours(1), new SecureRandom())
        .write(dataDir);
    return dataDir;
  }

  /** The open tunnel of {@code agentId}, if it has one here. */
  Optional<Tunnel> tunnel(String agentId) {
    return Optional.ofNullable(tunnels.get(agentId)).filter(Tunnel::isOpen);
  }

  /** Waits for {@code agentId}'s tunnel. */
  Tunnel awaitTunnel(String agentId) {
    Eventually.within(WAIT).until(() -> tunnel(agentId).isPresent());
    return tunnel(agentId).orElseThrow();
  }

  /** How many tunnels this proxy has accepted, from any agent. */
  int tunnelsAccepted() {
    return tunnelsAccepted.get();
  }

  /** How many TLS connections were attempted here, whether their handshake succeeded or not. */
  int connections() {
    return connections.get();
  }

  private void accept(HttpServerRequest request) {
    if (!request.path().equals(Wire.AGENT_TUNNEL_PATH) || !TunnelUpgrade.isRequested(request)) {
      request.response().setStatusCode(404).end();
      return;
    }
    CertificateIdentity identity;
    try {
      List<Certificate> chain = request.connection().peerCertificates();
      identity = CertificateIdentity.of((X509Certificate) chain.get(0));
    } catch (javax.net.ssl.SSLPeerUnverifiedException | PkiException e) {
      request.response().setStatusCode(401).end();
      return;
    }
    if (identity.role() != CertificateIdentity.Role.AGENT) {
      request.response().setStatusCode(403).end();
      return;
    }
    String agentId = identity.id();
    TunnelUpgrade.accept(request, TunnelSettings.DEFAULTS, agentId)
        .onSuccess(
            tunnel -> {
              tunnels.put(agentId, tunnel);
              tunnelsAccepted.incrementAndGet();
              tunnel.onClose(() -> tunnels.remove(agentId, tunnel));
              openControl(agentId, tunnel);
            });
  }

  /**
   * Opens the tunnel's control stream as a proxy does, keeping every line the agent sends on it
   * (decoded) and answering nothing unless the test sends with {@link #control}.
   */
  private void openControl(String agentId, Tunnel tunnel) {
    ContextInternal context = vertx.createEventLoopContext();
    tunnel
        .open(context)
        .onSuccess(
            stream -> {
              HttpRequest head =
                  new DefaultHttpRequest(
                      HttpVersion.HTTP_1_1,
                      io.netty.handler.codec.http.HttpMethod.GET,
                      Wire.CONTROL_PATH);
              head.headers().set(Wire.PROXY, PROXY_ID);
              stream.writeHead(head);
              stream.exceptionHandler(e -> {});
              controls.put(agentId, stream);
              List<JsonObject> received =
                  lines.computeIfAbsent(agentId, id -> new CopyOnWriteArrayList<>());
              RecordParser.newDelimited("\n", stream)
                  .handler(line -> received.add(new JsonObject(line.toString())));
            });
  }

  /** Every control line agent {@code agentId} sent here, over all its tunnels, in order. */
  List<JsonObject> controlLines(String agentId) {
    return List.copyOf(lines.getOrDefault(agentId, new CopyOnWriteArrayList<>()));
  }

  /** The control lines of {@code agentId} that carry {@code field}, in order. */
  List<JsonObject> controlLines(String agentId, String field) {
    return controlLines(agentId).stream().filter(l -> l.containsKey(field)).toList();
  }

  /** Sends {@code message} down the control stream of {@code agentId}'s current tunnel. */
  void control(String agentId, JsonObject message) {
    Eventually.within(WAIT).until(() -> controls.containsKey(agentId));
    await(controls.get(agentId).write(Buffer.buffer(message.encode() + "\n")));
  }

  /** The headers a proxy sends with every session: the resource, a session id and its own id. */
  static MultiMap sessionHeaders(String resource) {
    return MultiMap.caseInsensitiveMultiMap()
        .set(Wire.RESOURCE, resource)
        .set(Wire.SESSION, SESSION_ID)
        .set(Wire.PROXY, PROXY_ID)
        .set(Wire.USER, "test-user");
  }

  /**
   * Opens a session on {@code agentId}'s tunnel and sends its head; the body follows with {@link
   * Session#write} and {@link Session#end}.
   */
  Session open(String agentId, HttpMethod method, String uri, MultiMap headers) {
    ContextInternal context = vertx.createEventLoopContext();
    Session session = await(awaitTunnel(agentId).open(context).map(s -> new Session(s, context)));
    session.onContext(() -> session.stream.writeHead(head(method, uri, headers)));
    return session;
  }

  /** A request without body; read the answer from the session. */
  Session send(String agentId, HttpMethod method, String uri, MultiMap headers) {
    Session session = open(agentId, method, uri, headers);
    session.end();
    return session;
  }

  /** A request with {@code body}; read the answer from the session. */
  Session send(String agentId, HttpMethod method, String uri, MultiMap headers, String body) {
    Session session = open(agentId, method, uri, headers);
    session.write(body);
    session.end();
    return session;
  }

  /** A TCP session to {@code resource}: {@code POST /.gatehouse/tunnel}. */
  Session openTcp(String agentId, String resource) {
    return open(agentId, HttpMethod.POST, Wire.TUNNEL_PATH, sessionHeaders(resource));
  }

  /**
   * A local port whose every connection becomes a TCP session to {@code resource} on {@code
   * agentId}'s tunnel, spliced both ways once the agent answers 200: what {@code gatehouse tunnel}
   * and a proxy do together.
   */
  int forward(String agentId, String resource) {
    NetServer local =
        vertx
            .createNetServer()
            .connectHandler(
                socket -> {
                  socket.pause();
                  ContextInternal context = (ContextInternal) Vertx.currentContext();
                  tunnel(agentId)
                      .map(t -> t.open(context))
                      .orElseGet(() -> Future.failedFuture("agent " + agentId + " has no tunnel"))
                      .onSuccess(
                          stream -> {
                            stream.writeHead(
                                head(HttpMethod.POST, Wire.TUNNEL_PATH, sessionHeaders(resource)));
                            stream
                                .head()
                                .onComplete(
                                    ar -> {
                                      if (ar.failed()
                                          || ((HttpResponse) ar.result()).status().code() != 200) {
                                        socket.close();
                                        stream.reset();
                                        return;
                                      }
                                      Splice.join(
                                          Splice.End.of(socket), stream, n -> {}, n -> {}, s -> {});
                                    });
                          })
                      .onFailure(e -> socket.close());
                });
    return await(local.listen(0, "127.0.0.1")).actualPort();
  }

  private static HttpRequest head(HttpMethod method, String uri, MultiMap headers) {
    HttpRequest head =
        new DefaultHttpRequest(
            HttpVersion.HTTP_1_1,
            io.netty.handler.codec.http.HttpMethod.valueOf(method.name()),
            uri);
    headers.forEach(h -> head.headers().add(h.getKey(), h.getValue()));
    return head;
  }

  /** Closes every tunnel, the server and Vert.x. */
  @Override
  public void close() {
    tunnels.values().forEach(Tunnel::close);
    await(vertx.close());
  }

  static <T> T await(Future<T> future) {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no result within " + WAIT + ": " + e, e);
    }
  }

  /**
   * One session on a tunnel as the test sees it: the agent's response head, the bytes received so
   * far and whether they ended. Everything touching the stream runs on its context.
   */
  static final class Session {
    private final TunnelStream stream;
    private final ContextInternal context;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final AtomicLong written = new AtomicLong();
    private final AtomicBoolean heldBack = new AtomicBoolean();

    /** Call on {@code context}, before the stream has delivered anything. */
    private Session(TunnelStream stream, ContextInternal context) {
      this.stream = stream;
      this.context = context;
      stream.exceptionHandler(ended::completeExceptionally);
      stream.endHandler(v -> ended.complete(null));
      stream.handler(
          b -> {
            synchronized (received) {
              received.writeBytes(b.getBytes());
            }
          });
    }

    /** The agent's response head. */
    HttpResponse head() {
      return (HttpResponse) await(stream.head());
    }

    int status() {
      return head().status().code();
    }

    /** A response header, or null. */
    String header(String name) {
      return head().headers().get(name);
    }

    List<String> headers(String name) {
      return head().headers().getAll(name);
    }

    void write(String text) {
      write(text.getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] bytes) {
      onContext(() -> stream.write(Buffer.buffer(bytes)));
    }

    /** Ends this side (END_STREAM). */
    void end() {
      onContext(stream::end);
    }

    /** Aborts the session (RST_STREAM). */
    void reset() {
      onContext(stream::reset);
    }

    /** Stops reading: the agent's data waits, and flow control holds the agent back. */
    void pause() {
      onContext(stream::pause);
    }

    void resume() {
      onContext(stream::resume);
    }

    /** Runs {@code action} on the stream's context and waits for it to have run. */
    private void onContext(Runnable action) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      context.runOnContext(
          v -> {
            action.run();
            done.complete(null);
          });
      done.orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /**
     * Writes {@code data} in 64 KiB chunks as fast as the stream takes them, waiting whenever its
     * queue is full; completes once all is written.
     */
    CompletableFuture<Void> writeAll(byte[] data) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      context.runOnContext(v -> pump(data, done));
      return done;
    }

    private void pump(byte[] data, CompletableFuture<Void> done) {
      heldBack.set(false);
      int chunk = 64 * 1024;
      while (written.get() < data.length) {
        if (stream.writeQueueFull()) {
          heldBack.set(true);
          stream.drainHandler(v -> pump(data, done));
          return;
        }
        int from = (int) written.get();
        int to = Math.min(data.length, from + chunk);
        stream.write(Buffer.buffer(Arrays.copyOfRange(data, from, to)));
        written.set(to);
      }
      stream.drainHandler(null);
      done.complete(null);
    }

    /** Bytes {@link #writeAll} has handed to the stream so far. */
    long written() {
      return written.get();
    }

    /** Whether {@link #writeAll} is waiting for the stream to take more. */
    boolean isHeldBack() {
      return heldBack.get();
    }

    /** The bytes received so far. */
    byte[] received() {
      synchronized (received) {
        return received.toByteArray();
      }
    }

    int receivedCount() {
      synchronized (received) {
        return received.size();
      }
    }

    /** Waits for {@code count} bytes and returns everything received. */
    byte[] awaitReceived(int count) {
      Eventually.within(WAIT).until(() -> receivedCount() >= count);
      return received();
    }

    /** Waits for the agent to end the session and returns the body. */
    byte[] bodyBytes() {
      try {
        ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new AssertionError("the session did not end within " + WAIT + ": " + e, e);
      }
      return received();
    }

    /** Waits for the agent to end the session and returns the body as text. */
    String body() {
      return new String(bodyBytes(), StandardCharsets.UTF_8);
    }

    /** Completes when the agent ends the session, fails when it is reset or its tunnel goes. */
    CompletableFuture<Void> ended() {
      return ended;
    }
  }
}
