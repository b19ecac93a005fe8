package io.gatehouse.cli.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.output.Format;
import io.gatehouse.cli.output.Table;
import io.gatehouse.events.Lock;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.auth.LockTargets;
import io.gatehouse.proxy.config.ProxyConfig;
import io.gatehouse.proxy.publish.KafkaEventPublisher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse lock agent/ID|user/NAME [--reason TEXT]}, {@code lock rm …} and {@code lock ls}:
 * shut an agent or a user out of every proxy (an agent's tunnels dropped within a second and its
 * rejoin refused; a user's open sessions ended, logins and requests refused) and let them back in.
 * Through the API with the profile's credential (the caller needs the {@code locks} verbs); with
 * {@code -c proxy.yaml} on a proxy host, written to Kafka directly as the operator (break-glass:
 * when no admin can log in). Audited as {@code lock.create} and {@code lock.delete} either way.
 */
@Command(
    name = "lock",
    mixinStandardHelpOptions = true,
    description =
        "Lock an agent or a user out of every proxy (through the API, or with -c proxy.yaml on a"
            + " proxy host).",
    subcommands = {LockCommand.Rm.class, LockCommand.Ls.class})
public final class LockCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "agent/ID|user/NAME",
      description = "What to lock.")
  String target;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why; shown in refusals.")
  String reason;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description =
          "Write the lock to Kafka directly with this proxy's configuration (on a proxy host),"
              + " instead of through the API.")
  Path config;

  @Mixin ProxyOptions proxy;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (target == null) {
      spec.commandLine().usage(spec.commandLine().getOut());
      return ExitCodes.OK;
    }
    String checked = check(target);
    if (config == null) {
      ObjectNode body = ReadCommand.JSON.createObjectNode();
      if (reason != null) {
        body.put("reason", reason);
      }
      proxy.client().put("/v1/locks/" + checked, "application/json", json(body), Map.of());
    } else {
      Clock clock = Clock.systemUTC();
      Lock lock =
          Lock.newBuilder()
              .setTarget(checked)
              .setReason(reason)
              .setCreatedBy(Operator.who())
              .setCreatedAt(clock.instant())
              .build();
      write(config, checked, lock, AuditLog.LOCK_CREATE, reason);
    }
    spec.commandLine().getOut().println("locked " + checked + " on every proxy");
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }

  /** {@code gatehouse lock rm agent/ID}. */
  @Command(name = "rm", mixinStandardHelpOptions = true, description = "Lift a lock.")
  public static final class Rm implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "agent/ID|user/NAME", description = "What to unlock.")
    String target;

    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        description =
            "Lift the lock in Kafka directly with this proxy's configuration (on a proxy host),"
                + " instead of through the API.")
    Path config;

    @Mixin ProxyOptions proxy;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      String checked = check(target);
      if (config == null) {
        proxy.client().delete("/v1/locks/" + checked);
      } else {
        write(config, checked, null, AuditLog.LOCK_DELETE, null);
      }
      spec.commandLine().getOut().println("unlocked " + checked);
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }

  /** {@code gatehouse lock ls}: the locks standing, through the API. */
  @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the locks.")
  public static final class Ls extends ReadCommand {
    @Override
    public Integer call() {
      JsonNode locks = proxy.client().get("/v1/locks");
      if (format == Format.json) {
        printJson(locks);
        return ExitCodes.OK;
      }
      Table table = new Table("TARGET", "REASON", "BY", "SINCE");
      for (JsonNode l : locks) {
        table.row(text(l, "target"), text(l, "reason"), text(l, "createdBy"), text(l, "createdAt"));
      }
      table.print(out());
      return ExitCodes.OK;
    }
  }

  private static String check(String target) {
    try {
      return LockTargets.check(target);
    } catch (IllegalArgumentException e) {
      throw CliException.user(e.getMessage());
    }
  }

  private static String json(JsonNode node) {
    try {
      return ReadCommand.JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(Path config, String target, Lock lock, String type, String reason) {
    ProxyConfig proxy = OperatorConfig.load(config);
    try (KafkaEventPublisher publisher =
        new KafkaEventPublisher(
            proxy.kafkaSettings().withClientId("gatehouse-lock"),
            new TopicNames(proxy.topicPrefix()),
            new SimpleMeterRegistry())) {
      await(publisher.publish(Topic.LOCKS, target, lock), proxy);
      AuditLog audit = new AuditLog(publisher, Clock.systemUTC(), "cli");
      await(
          audit.lockChanged(
              type, target, Operator.who(), reason == null ? Map.of() : Map.of("reason", reason)),
          proxy);
    }
  }

  private static void await(CompletionStage<Void> write, ProxyConfig proxy) {
    try {
      write.toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw CliException.user(
          "Kafka at " + proxy.kafkaBootstrap() + " did not take the lock: " + e.getMessage());
    }
  }
}
