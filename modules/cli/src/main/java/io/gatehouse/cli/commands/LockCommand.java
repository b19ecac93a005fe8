package io.gatehouse.cli.commands;

import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.config.NodeId;
import io.gatehouse.events.Lock;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.auth.UserNames;
import io.gatehouse.proxy.config.ProxyConfig;
import io.gatehouse.proxy.lock.Locks;
import io.gatehouse.proxy.publish.KafkaEventPublisher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse lock agent/ID|user/NAME [--reason TEXT]} and {@code gatehouse lock rm …}: shut
 * an agent or a user out of every proxy (an agent's tunnels dropped within a second and its rejoin
 * refused; a user's open sessions ended, logins and requests refused) and let them back in. An
 * operator command run on a proxy host with its {@code proxy.yaml}, like {@code gatehouse tokens}.
 * Audited as {@code lock.create} and {@code lock.delete}.
 */
@Command(
    name = "lock",
    mixinStandardHelpOptions = true,
    description =
        "Lock an agent or a user out of every proxy (run on a proxy host, with its proxy.yaml).",
    subcommands = {LockCommand.Rm.class})
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
      description = "The proxy's configuration (YAML): its Kafka.")
  Path config;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (target == null) {
      spec.commandLine().usage(spec.commandLine().getOut());
      return ExitCodes.OK;
    }
    String checked = check(target);
    Clock clock = Clock.systemUTC();
    Lock lock =
        Lock.newBuilder()
            .setTarget(checked)
            .setReason(reason)
            .setCreatedBy(Operator.who())
            .setCreatedAt(clock.instant())
            .build();
    write(config, checked, lock, AuditLog.LOCK_CREATE, reason);
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
        required = true,
        paramLabel = "FILE",
        description = "The proxy's configuration (YAML): its Kafka.")
    Path config;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      String checked = check(target);
      write(config, checked, null, AuditLog.LOCK_DELETE, null);
      spec.commandLine().getOut().println("unlocked " + checked);
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }

  private static String check(String target) {
    boolean agent = target.startsWith(Locks.AGENT);
    if (!agent && !target.startsWith(Locks.USER)) {
      throw CliException.user("'" + target + "': lock an agent as agent/ID or a user as user/NAME");
    }
    try {
      if (agent) {
        NodeId.check("agent", target.substring(Locks.AGENT.length()));
      } else {
        UserNames.check(target.substring(Locks.USER.length()));
      }
    } catch (IllegalArgumentException e) {
      throw CliException.user("'" + target + "': " + e.getMessage());
    }
    return target;
  }

  private static void write(Path config, String target, Lock lock, String type, String reason) {
    if (config == null) {
      throw CliException.user(
          "-c proxy.yaml is required: locks are written with the proxy's Kafka");
    }
    ProxyConfig proxy;
    proxy = OperatorConfig.load(config);
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
