package io.gatehouse.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.access.PasswordHasher;
import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.output.Format;
import io.gatehouse.cli.output.Table;
import io.gatehouse.events.User;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.auth.UserNames;
import io.gatehouse.proxy.publish.KafkaEventPublisher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse users add|ls|rm}: local users, through the API (the caller needs the {@code
 * users} verbs). {@code add NAME --roles R[,R]} prints a generated one-time password unless {@code
 * --password-stdin} gives one. {@code add … -c proxy.yaml} is the operator's way in on a proxy host
 * (the first admin of a cluster): the user is written to Kafka directly, with the proxy's config
 * and cluster secret, and audited, as {@code tokens} and {@code lock} do.
 */
@Command(
    name = "users",
    mixinStandardHelpOptions = true,
    description = "Add, list and remove users.",
    subcommands = {UsersCommand.Add.class, UsersCommand.Ls.class, UsersCommand.Rm.class})
public final class UsersCommand implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code users add NAME --roles R[,R] [--password-stdin]}. */
  @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a user.")
  static final class Add implements Callable<Integer> {
    @Mixin ProxyOptions proxy;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(
        names = "--roles",
        required = true,
        split = ",",
        paramLabel = "ROLE",
        description = "The user's roles, comma-separated.")
    List<String> roles;

    @Option(
        names = "--password-stdin",
        description = "Read the user's password from standard input instead of generating one.")
    boolean passwordStdin;

    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        description =
            "Write the user to Kafka directly with this proxy's configuration (on a proxy host:"
                + " the first admin), instead of through the API.")
    java.nio.file.Path config;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (config != null) {
        return direct();
      }
      ObjectNode body = JSON.createObjectNode().put("name", name);
      roles.forEach(body.putArray("roles")::add);
      if (passwordStdin) {
        char[] password = PasswordInput.read(true, "");
        body.put("password", new String(password));
        Arrays.fill(password, '\0');
      }
      JsonNode user;
      try {
        user = proxy.client().post("/v1/users", "application/json", JSON.writeValueAsString(body));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new CliException(ExitCodes.USER_ERROR, "cannot encode the user: " + e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("user " + name + " added with roles " + String.join(", ", roles));
      user.path("unknownRoles")
          .forEach(
              r ->
                  out.println(
                      "warning: no role "
                          + r.asText()
                          + " (yet): it grants nothing until it exists"));
      if (user.hasNonNull("password")) {
        out.println("one-time password: " + user.get("password").asText());
        out.println("log in: gatehouse login --proxy " + proxy.url() + " --user " + name);
      }
      out.flush();
      return ExitCodes.OK;
    }

    /** {@code users add -c}: the user written straight to Kafka, as the operator. */
    private Integer direct() {
      char[] password =
          passwordStdin ? PasswordInput.read(true, "") : PasswordHasher.randomPassword();
      PasswordHasher.weakness(password)
          .ifPresent(
              w -> {
                throw CliException.user("password: " + w);
              });
      io.gatehouse.proxy.config.ProxyConfig proxyConfig = OperatorConfig.load(config);
      ClusterSecret secret;
      try {
        secret = ClusterSecret.read(proxyConfig.caDir());
      } catch (io.gatehouse.pki.PkiException e) {
        throw CliException.user(e.getMessage() + " (proxy.ca.dir of " + config + ")");
      }
      try {
        UserNames.check(name);
      } catch (IllegalArgumentException e) {
        throw CliException.user(e.getMessage());
      }
      PasswordHasher hasher =
          new PasswordHasher(secret.derive(ClusterSecret.Purpose.PASSWORD_PEPPER));
      java.time.Instant now = java.time.Instant.now();
      User user =
          User.newBuilder()
              .setName(name)
              .setRoles(roles)
              .setPasswordHash(hasher.hash(password))
              .setOrigin("local")
              .setRevision(1)
              .setCreatedAt(now)
              .setUpdatedAt(now)
              .setUpdatedBy(Operator.who())
              .build();
      try (KafkaEventPublisher publisher =
          new KafkaEventPublisher(
              proxyConfig.kafkaSettings().withClientId("gatehouse-users"),
              new TopicNames(proxyConfig.topicPrefix()),
              new SimpleMeterRegistry())) {
        publisher
            .publish(Topic.USERS, name, user)
            .thenCompose(
                v ->
                    new AuditLog(publisher, java.time.Clock.systemUTC(), "cli")
                        .accountChanged(
                            AuditLog.USER_CREATE,
                            "user/" + name,
                            Operator.who(),
                            null,
                            "{\"name\":\"" + name + "\",\"roles\":" + rolesJson() + "}",
                            "cli"))
            .toCompletableFuture()
            .get(15, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        throw CliException.user(
            "Kafka at "
                + proxyConfig.kafkaBootstrap()
                + " did not take the user: "
                + e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("user " + name + " written with roles " + String.join(", ", roles));
      if (!passwordStdin) {
        out.println("one-time password: " + new String(password));
      }
      Arrays.fill(password, '\0');
      out.flush();
      return ExitCodes.OK;
    }

    private String rolesJson() {
      try {
        return JSON.writeValueAsString(roles);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** {@code users ls}. */
  @Command(name = "ls", mixinStandardHelpOptions = true, description = "List users.")
  static final class Ls extends ReadCommand {
    @Override
    public Integer call() {
      JsonNode users = proxy.client().get("/v1/users");
      if (format == Format.json) {
        printJson(users);
        return ExitCodes.OK;
      }
      Table table = new Table("NAME", "ROLES", "ORIGIN", "UPDATED", "BY");
      for (JsonNode u : users) {
        table.row(
            text(u, "name"),
            String.join(",", StatusCommand.roles(u)),
            text(u, "origin"),
            text(u, "updatedAt"),
            text(u, "updatedBy"));
      }
      table.print(out());
      return ExitCodes.OK;
    }
  }

  /** {@code users rm NAME}. */
  @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a user.")
  static final class Rm implements Callable<Integer> {
    @Mixin ProxyOptions proxy;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      proxy.client().delete("/v1/users/" + name);
      spec.commandLine().getOut().println("user " + name + " removed");
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }
}
