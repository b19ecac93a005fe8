package io.gatehouse.cli.commands;

import io.gatehouse.broker.EmbeddedKafka;
import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.AclSetupException;
import io.gatehouse.kafka.KafkaAcls;
import io.gatehouse.kafka.KafkaAcls.Role;
import io.gatehouse.kafka.KafkaClients;
import io.gatehouse.proxy.config.ProxyConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse kafka acls}: the Kafka ACLs of a Gatehouse role, printed or applied; {@code
 * gatehouse kafka node}: one node of a KRaft cluster, run from this project's own Kafka jars.
 */
@Command(
    name = "kafka",
    mixinStandardHelpOptions = true,
    description = "Set up the Kafka cluster Gatehouse runs on.",
    subcommands = {KafkaCommand.Acls.class, KafkaCommand.Node.class})
public final class KafkaCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Runs one combined broker+controller of a static KRaft quorum until SIGTERM, from the Kafka
   * server jars the CLI already carries for dev mode: what {@code infra/local-cluster} starts three
   * of. It formats its data directory on the first start and prints one line once the cluster
   * answers it.
   */
  @Command(
      name = "node",
      mixinStandardHelpOptions = true,
      description = {
        "Run one node (broker and controller) of a KRaft Kafka cluster until SIGTERM/Ctrl-C.",
        "Start a majority of the nodes together: each is ready once the quorum answers."
      })
  public static final class Node extends RunCommand<KafkaNodeConfig, EmbeddedKafka> {
    @Override
    String role() {
      return "kafka-node";
    }

    @Override
    KafkaNodeConfig load(Path file) {
      return KafkaNodeConfig.load(file);
    }

    @Override
    EmbeddedKafka start(KafkaNodeConfig parsed) {
      return parsed.broker().start();
    }

    @Override
    String ready(KafkaNodeConfig parsed, EmbeddedKafka node) {
      return "kafka node "
          + parsed.quorum().nodeId()
          + " serving "
          + (parsed.saslSsl().isPresent() ? "SASL_SSL " : "PLAINTEXT ")
          + node.bootstrapServers()
          + " (controller "
          + parsed.quorum().controllers().get(parsed.quorum().nodeId() - 1)
          + ", replication factor "
          + parsed.quorum().replicationFactor()
          + ", min.insync.replicas "
          + parsed.quorum().minInsyncReplicas()
          + ", data in "
          + parsed.dataDir()
          + ")";
    }
  }

  /**
   * Prints the ACLs of one principal as {@code kafka-acls.sh} commands, or creates them with {@code
   * --apply} through the Kafka settings of a {@code proxy.yaml} (whose login must be allowed to
   * create ACLs: an admin's, not the proxy's own).
   */
  @Command(
      name = "acls",
      mixinStandardHelpOptions = true,
      description = {
        "Print the Kafka ACLs a Gatehouse role needs, as kafka-acls.sh commands,"
            + " or create them with --apply.",
        "Roles: proxy (reads, writes and creates the <prefix>. topics),"
            + " audit-reader (reads <prefix>.audit only). Agents need none."
      })
  public static final class Acls implements Callable<Integer> {
    @Option(
        names = "--principal",
        required = true,
        paramLabel = "User:NAME",
        description = "The Kafka principal, e.g. User:gatehouse-proxy (the SCRAM user name).")
    String principal;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "proxy|audit-reader",
        description = "What the principal does.")
    String role;

    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        description =
            "A proxy.yaml: its Kafka bootstrap, security and topic prefix. Needed by --apply,"
                + " whose login (proxy.kafka.security.sasl) must be allowed to create ACLs.")
    Path config;

    @Option(
        names = "--topic-prefix",
        paramLabel = "PREFIX",
        description = "Topic prefix (default: the config's topic_prefix, else gatehouse).")
    String prefix;

    @Option(names = "--apply", description = "Create the ACLs instead of printing them.")
    boolean apply;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Role parsedRole =
          Role.labelled(role)
              .orElseThrow(
                  () ->
                      CliException.user("--role '" + role + "' is not one of proxy, audit-reader"));
      Optional<ProxyConfig> proxyConfig = Optional.ofNullable(config).map(OperatorConfig::load);
      if (apply && proxyConfig.isEmpty()) {
        throw CliException.user("--apply needs -c proxy.yaml (the cluster to create ACLs on)");
      }
      String topicPrefix =
          prefix != null
              ? prefix
              : proxyConfig.map(ProxyConfig::topicPrefix).orElse(ProxyConfig.DEFAULT_TOPIC_PREFIX);
      KafkaAcls acls;
      try {
        acls = new KafkaAcls(principal, parsedRole, new TopicNames(topicPrefix));
      } catch (IllegalArgumentException e) {
        throw CliException.user(e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      if (!apply) {
        out.println(
            "# Kafka ACLs for "
                + acls
                + "; run as an admin, admin.properties being its client config");
        String bootstrap = proxyConfig.map(ProxyConfig::kafkaBootstrap).orElse("BOOTSTRAP");
        acls.commands(bootstrap).forEach(out::println);
        out.flush();
        return ExitCodes.OK;
      }
      ProxyConfig c = proxyConfig.get();
      try (Admin admin = KafkaClients.admin(c.kafkaSettings().forClient("acls"))) {
        acls.apply(admin);
      } catch (AclSetupException e) {
        if (e.getCause() instanceof TimeoutException) {
          throw CliException.unreachable(
              e.getMessage() + " (Kafka at " + c.kafkaBootstrap() + ")", e);
        }
        throw CliException.user(e.getMessage() + " (Kafka at " + c.kafkaBootstrap() + ")");
      }
      out.println(
          "created " + acls.bindings().size() + " ACLs for " + acls + " at " + c.kafkaBootstrap());
      out.flush();
      return ExitCodes.OK;
    }
  }
}
