package io.gatehouse.cli.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.output.Format;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.codec.EventDecodeException;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaClients;
import io.gatehouse.kafka.KafkaSecurity;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.proxy.config.ProxyConfig;
import io.gatehouse.proxy.session.SessionKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse audit tail}: reads {@code gatehouse.audit} straight from Kafka. A session is
 * shown by the short id {@code /v1/sessions} shows ({@link SessionKeys#shortId}); the JSON format
 * adds the full session key, the key of its pin on {@code gatehouse.sessions}. Neither is a session
 * id, and an id an older release wrote in its place is only ever shown cut to the short id.
 */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Read the audit stream.",
    subcommands = AuditCommand.Tail.class)
public final class AuditCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Follows the audit topic, printing one line per event. */
  @Command(
      name = "tail",
      mixinStandardHelpOptions = true,
      description = "Print audit events as they happen, one line each.")
  public static final class Tail implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A session key, as this release writes it; a 32-digit session id is not one. */
    private static final Pattern SESSION_KEY = Pattern.compile("[0-9a-f]{64}");

    @Option(
        names = "--kafka",
        paramLabel = "HOST:PORT",
        description = "Kafka bootstrap (default: $GATEHOUSE_KAFKA, else localhost:9092).")
    String kafka;

    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        description =
            "Read Kafka's bootstrap, security (TLS, SCRAM login) and topic prefix from a"
                + " proxy.yaml, e.g. a copy whose login is the audit reader's.")
    Path config;

    @Option(
        names = "--topic-prefix",
        description = "Topic prefix (default: the config's topic_prefix, else gatehouse).")
    String prefix;

    @Option(
        names = "--from-beginning",
        description = "Start with the oldest retained event instead of new ones.")
    boolean fromBeginning;

    @Option(
        names = {"-n", "--count"},
        paramLabel = "N",
        description = "Exit after N events (default: follow forever).")
    Long count;

    @Option(
        names = "--no-follow",
        description = "Exit after the events already written instead of waiting for new ones.")
    boolean noFollow;

    @Option(
        names = "--format",
        paramLabel = "text|json",
        defaultValue = "text",
        description = "Output format (default: ${DEFAULT-VALUE}).")
    Format format;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      ProxyConfig proxy = null;
      if (config != null) {
        proxy = OperatorConfig.load(config);
      }
      String bootstrap =
          kafka != null
              ? kafka
              : proxy != null
                  ? proxy.kafkaBootstrap()
                  : System.getenv().getOrDefault("GATEHOUSE_KAFKA", "localhost:9092");
      String topic;
      KafkaSettings settings;
      try {
        topic =
            new TopicNames(
                    prefix != null
                        ? prefix
                        : proxy != null ? proxy.topicPrefix() : ProxyConfig.DEFAULT_TOPIC_PREFIX)
                .of(Topic.AUDIT);
        settings =
            KafkaSettings.of(bootstrap)
                .withClientId("gatehouse-audit-tail")
                .withSecurity(proxy != null ? proxy.kafkaSecurity() : KafkaSecurity.PLAINTEXT);
      } catch (IllegalArgumentException e) {
        throw CliException.user(e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      long printed = 0;
      try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(settings)) {
        List<PartitionInfo> partitions;
        try {
          partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        } catch (AuthenticationException | AuthorizationException e) {
          // Kafka's messages name the mechanism or topic, never the password.
          throw CliException.user("Kafka at " + bootstrap + " refused: " + e.getMessage());
        } catch (KafkaException e) {
          throw CliException.unreachable(
              "cannot reach Kafka at " + bootstrap + " (" + e.getClass().getSimpleName() + ")", e);
        }
        if (partitions == null || partitions.isEmpty()) {
          throw CliException.user(
              "topic "
                  + topic
                  + " does not exist at "
                  + bootstrap
                  + " (has a proxy started there?)");
        }
        List<TopicPartition> tps =
            partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(tps);
        if (fromBeginning) {
          consumer.seekToBeginning(tps);
        } else {
          consumer.seekToEnd(tps);
        }
        Map<TopicPartition, Long> ends =
            noFollow ? consumer.endOffsets(tps, Duration.ofSeconds(10)) : Map.of();
        while (count == null || printed < count) {
          if (noFollow
              && ends.entrySet().stream()
                  .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
            break;
          }
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            print(out, record);
            if (count != null && ++printed >= count) {
              break;
            }
          }
          out.flush();
        }
        out.flush();
      }
      return ExitCodes.OK;
    }

    private void print(PrintWriter out, ConsumerRecord<byte[], byte[]> record) {
      AuditEvent e;
      try {
        e = EventCodec.AUDIT_EVENT.decode(record.value());
      } catch (EventDecodeException ex) {
        out.println(
            "# undecodable record at "
                + record.topic()
                + "-"
                + record.partition()
                + "@"
                + record.offset()
                + ": "
                + ex.getMessage());
        return;
      }
      if (format == Format.json) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", e.getId())
            .put("type", e.getType())
            .put("time", e.getTime().toString())
            .put("outcome", e.getOutcome());
        node.put("user", e.getUser())
            .put("kind", e.getKind())
            .put("name", e.getName())
            .put(
                "session", e.getSessionId() == null ? null : SessionKeys.shortId(e.getSessionId()));
        if (e.getSessionId() != null && SESSION_KEY.matcher(e.getSessionId()).matches()) {
          node.put("sessionKey", e.getSessionId());
        }
        node.put("agent", e.getAgentId())
            .put("proxy", e.getProxyId())
            .put("bytesIn", e.getBytesIn())
            .put("bytesOut", e.getBytesOut());
        ObjectNode details = node.putObject("details");
        e.getDetails().forEach(details::put);
        out.println(node.toString());
        return;
      }
      StringBuilder line = new StringBuilder();
      line.append(e.getTime()).append(' ').append(e.getType()).append(' ').append(e.getOutcome());
      if (e.getKind() != null) {
        line.append(' ').append(e.getKind()).append('/').append(e.getName());
      }
      append(line, "user", e.getUser());
      append(line, "agent", e.getAgentId());
      append(line, "proxy", e.getProxyId());
      append(
          line, "session", e.getSessionId() == null ? null : SessionKeys.shortId(e.getSessionId()));
      if (e.getBytesIn() + e.getBytesOut() > 0) {
        line.append(" bytes=").append(e.getBytesIn()).append('/').append(e.getBytesOut());
      }
      for (Map.Entry<String, String> d : e.getDetails().entrySet()) {
        append(line, d.getKey(), d.getValue());
      }
      out.println(line);
    }

    private static void append(StringBuilder line, String key, String value) {
      if (value != null && !value.isEmpty()) {
        line.append(' ').append(key).append('=').append(value);
      }
    }
  }
}
