package io.gatehouse.proxy;

import static io.gatehouse.proxy.Cluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.Keys;
import io.gatehouse.events.SessionPin;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.proxy.session.SessionKeys;
import io.gatehouse.relay.Wire;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Threat #9, "no bearer secret on a topic": real broker, two proxies and two agents carry HTTP
 * sessions (the id read from {@code Set-Cookie}) and TCP tunnels (the id read from the {@code
 * 101}'s {@code Gatehouse-Session}), some of them ended; then every topic of the prefix is read
 * from the beginning as raw bytes (keys, values, headers) and none holds a session id, as text,
 * hex, bytes or base64, while the pins and audit events are there under the sessions' keys. Neither
 * do the API, the logs or the proxies' state files.
 */
class NoBearerSecretOnTopicsIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  @Test
  void noTopicHoldsASessionIdWhileThePinsAndAuditEventsReferToTheirKeys() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger ours = (Logger) LoggerFactory.getLogger("io.gatehouse");
    Level level = ours.getLevel();
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    root.addAppender(logged);
    ours.setLevel(Level.DEBUG);
    List<String> httpIds = new ArrayList<>();
    List<String> tcpIds = new ArrayList<>();
    Proxy a;
    Proxy b;
    try {
      HttpServer upstream = web.upstream(req -> req.response().end("hello"));
      NetServer echo =
          Web.await(
              web.vertx()
                  .createNetServer()
                  .connectHandler(s -> s.handler(s::write))
                  .listen(0, "127.0.0.1"));
      a = cluster.proxy("proxy-secret-a");
      b = cluster.proxy("proxy-secret-b");
      cluster.app("secret-web-1", "web", upstream.actualPort());
      cluster.agent(
          "secret-echo-1",
          "db_service:\n  databases:\n    - { name: echo, uri: \"127.0.0.1:%d\" }"
              .formatted(echo.actualPort()));
      for (Proxy p : List.of(a, b)) {
        cluster.awaitHealthy(p.webAddress(), "app", "web", 1);
        cluster.awaitHealthy(p.webAddress(), "db", "echo", 1);
      }

      // HTTP sessions start on A and continue on B, which finds them through the topic.
      for (int i = 0; i < 4; i++) {
        Web.Response r = web.app(a.webAddress(), "web", "/", null);
        assertThat(r.status()).isEqualTo(200);
        httpIds.add(r.sessionCookie());
      }
      for (String id : httpIds) {
        String shortId = SessionKeys.shortId(cluster.sessionKey(id));
        Eventually.within(WAIT).until(() -> sessions(b.webAddress()).contains(shortId));
        Web.Response r = web.app(b.webAddress(), "web", "/again", id);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.sessionCookie()).as("the session continues on B").isNull();
      }
      // TCP sessions: two end, one stays open while the topics are read.
      List<Socket> tunnels = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Socket tunnel =
            cluster
                .web()
                .tls()
                .getSocketFactory()
                .createSocket(a.webAddress().host(), a.webAddress().port());
        tunnels.add(tunnel);
        tcpIds.add(openTunnel(tunnel, "db", "echo"));
        tunnel.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(tunnel.getInputStream().readNBytes(5)).asString().isEqualTo("ping\n");
      }
      tunnels.get(0).close();
      tunnels.get(1).close();
      // A session that no agent could take is audited too.
      assertThat(web.app(a.webAddress(), "nothing-here", "/", null).status()).isEqualTo(404);

      assertThat(httpIds).allMatch(id -> id.matches("[0-9a-f]{32}")).doesNotHaveDuplicates();
      assertThat(tcpIds).allMatch(id -> id.matches("[0-9a-f]{32}")).doesNotHaveDuplicates();
      List<String> ids = Stream.concat(httpIds.stream(), tcpIds.stream()).toList();
      Eventually.within(WAIT)
          .untilAsserted(
              () -> {
                Topics topics = readEveryTopic();
                for (String id : ids) {
                  topics.assertNowhere(id);
                }
                assertPinsAndAuditByKey(topics, httpIds, tcpIds);
              });

      // Listings show the short id only; logs never print an id.
      for (Proxy p : List.of(a, b)) {
        String listing = web.get(p.webAddress(), "/v1/sessions").body();
        for (String id : ids) {
          assertThat(listing).doesNotContain(id);
        }
        assertThat(listing).contains(SessionKeys.shortId(cluster.sessionKey(tcpIds.get(2))));
      }
      tunnels.get(2).close();
    } finally {
      ours.setLevel(level);
      root.detachAppender(logged);
    }
    assertThat(logged.list).isNotEmpty();
    for (ILoggingEvent e : logged.list) {
      String line =
          e.getFormattedMessage()
              + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
      for (String id : httpIds) {
        assertThat(line).as("log line of %s", e.getLoggerName()).doesNotContain(id);
      }
      for (String id : tcpIds) {
        assertThat(line).as("log line of %s", e.getLoggerName()).doesNotContain(id);
      }
    }

    // The state built from the topics holds what they hold: no file of B's store has an id.
    b.close();
    List<String> ids = Stream.concat(httpIds.stream(), tcpIds.stream()).toList();
    try (Stream<Path> files = Files.walk(b.config().dataDir())) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        for (String id : ids) {
          assertThat(bytes).as("%s", file).doesNotContain(id);
        }
      }
    }
  }

  private static void assertPinsAndAuditByKey(
      Topics topics, List<String> httpIds, List<String> tcpIds) {
    Map<String, SessionPin> pins = new HashMap<>();
    for (Raw r : topics.of(Topic.SESSIONS)) {
      String key = Keys.string(r.key());
      if (r.value() == null) {
        pins.remove(key);
      } else {
        SessionPin pin = EventCodec.SESSION_PIN.decode(r.value());
        assertThat(pin.getSessionId()).as("a pin's sessionId is its key").isEqualTo(key);
        pins.put(key, pin);
      }
    }
    assertThat(pins.keySet()).allMatch(k -> k.matches("[0-9a-f]{64}"));
    for (String id : httpIds) {
      assertThat(pins).containsKey(cluster.sessionKey(id));
    }
    assertThat(pins).containsKey(cluster.sessionKey(tcpIds.get(2)));
    assertThat(pins)
        .doesNotContainKeys(cluster.sessionKey(tcpIds.get(0)), cluster.sessionKey(tcpIds.get(1)));

    List<AuditEvent> audit = new ArrayList<>();
    for (Raw r : topics.of(Topic.AUDIT)) {
      AuditEvent e = EventCodec.AUDIT_EVENT.decode(r.value());
      audit.add(e);
      if (e.getSessionId() != null) {
        assertThat(Keys.string(r.key())).isEqualTo(e.getSessionId());
        assertThat(e.getSessionId()).matches("[0-9a-f]{64}");
      }
    }
    List<String> started =
        audit.stream()
            .filter(e -> e.getType().equals("session.start"))
            .map(e -> e.getSessionId())
            .toList();
    for (String id : httpIds) {
      assertThat(started).contains(cluster.sessionKey(id));
    }
    for (String id : tcpIds) {
      assertThat(started).contains(cluster.sessionKey(id));
    }
    assertThat(audit)
        .filteredOn(e -> e.getType().equals("session.end"))
        .extracting(AuditEvent::getSessionId)
        .contains(cluster.sessionKey(tcpIds.get(0)), cluster.sessionKey(tcpIds.get(1)));
    assertThat(audit).anyMatch(e -> e.getType().equals("session.fail"));
  }

  /** Sends the tunnel upgrade on {@code socket}; returns the session id of the {@code 101}. */
  private static String openTunnel(Socket socket, String kind, String name) throws IOException {
    socket.setSoTimeout((int) WAIT.toMillis());
    String request =
        ("GET /v1/tunnel/%s/%s HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: %s\r\n"
                + "Authorization: Bearer %s\r\n\r\n")
            .formatted(kind, name, Wire.TUNNEL_PROTOCOL, cluster.web().bearer());
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int c = in.read();
      assertThat(c).as("the proxy's answer so far: %s", head).isNotNegative();
      head.write(c);
    }
    String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
    assertThat(lines[0]).startsWith("HTTP/1.1 101");
    String prefix = Wire.SESSION.toLowerCase(Locale.ROOT) + ":";
    for (String line : lines) {
      if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
        return line.substring(prefix.length()).strip();
      }
    }
    throw new AssertionError("no " + Wire.SESSION + " in " + head);
  }

  private static String sessions(HostPort proxy) {
    return web.get(proxy, "/v1/sessions").array().stream()
        .map(o -> ((JsonObject) o).getString("session"))
        .toList()
        .toString();
  }

  /** Every record of every topic of the cluster's prefix, from the beginning, undecoded. */
  private static Topics readEveryTopic() {
    TopicNames names = new TopicNames(cluster.prefix);
    Map<String, List<Raw>> out = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(cluster.kafka().consumerProps())) {
      List<TopicPartition> partitions =
          consumer.listTopics().entrySet().stream()
              .filter(t -> t.getKey().startsWith(names.prefix() + "."))
              .flatMap(t -> t.getValue().stream())
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      assertThat(partitions).extracting(TopicPartition::topic).contains(names.of(Topic.SESSIONS));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(java.time.Duration.ofMillis(200))) {
          out.computeIfAbsent(r.topic(), t -> new ArrayList<>())
              .add(new Raw(r.topic(), r.key(), r.value(), r.headers().toArray()));
        }
      }
    }
    return new Topics(names, out);
  }

  record Raw(String topic, byte[] key, byte[] value, Header[] headers) {
    /** Every byte the record carries, each part on its own. */
    List<byte[]> parts() {
      List<byte[]> parts = new ArrayList<>();
      parts.add(key == null ? new byte[0] : key);
      parts.add(value == null ? new byte[0] : value);
      for (Header h : headers) {
        parts.add(h.key().getBytes(StandardCharsets.UTF_8));
        parts.add(h.value() == null ? new byte[0] : h.value());
      }
      return parts;
    }
  }

  record Topics(TopicNames names, Map<String, List<Raw>> records) {
    List<Raw> of(Topic topic) {
      return records.getOrDefault(names.of(topic), List.of());
    }

    /**
     * Fails when any record holds {@code id} as text (any case), hex of its text, bytes or base64.
     */
    void assertNowhere(String id) {
      byte[] raw = HexFormat.of().parseHex(id);
      List<String> needles =
          List.of(
              id,
              HexFormat.of().formatHex(id.getBytes(StandardCharsets.US_ASCII)),
              new String(raw, StandardCharsets.ISO_8859_1),
              Base64.getEncoder().withoutPadding().encodeToString(raw),
              Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
      records.forEach(
          (topic, list) -> {
            for (Raw r : list) {
              for (byte[] part : r.parts()) {
                String text = new String(part, StandardCharsets.ISO_8859_1);
                String lower = text.toLowerCase(Locale.ROOT);
                for (String needle : needles) {
                  assertThat(
                          text.contains(needle) || lower.contains(needle.toLowerCase(Locale.ROOT)))
                      .as("a record of %s holds session id %s", topic, id)
                      .isFalse();
                }
              }
            }
          });
    }
  }
}
