package io.gatehouse.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.output.Format;
import io.gatehouse.cli.output.Table;
import io.gatehouse.config.Durations;
import io.gatehouse.events.EventException;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.lifecycle.FileTree;
import io.gatehouse.pki.CaPin;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.pki.PkiException;
import io.gatehouse.proxy.ProxyException;
import io.gatehouse.proxy.config.ProxyConfig;
import io.gatehouse.proxy.join.IssuedToken;
import io.gatehouse.proxy.join.JoinToken;
import io.gatehouse.proxy.join.JoinTokens;
import io.gatehouse.proxy.join.TokenConsole;
import io.gatehouse.proxy.join.TokenRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse tokens add|ls|rm}: join tokens, through the API with the profile's credential
 * (the caller needs the {@code tokens} verbs), or, with {@code -c proxy.yaml} on a proxy host,
 * straight through Kafka with the proxy's own config (its Kafka and the cluster secret in {@code
 * proxy.ca.dir}): the operator's way in before anyone can log in. Both print the same.
 */
@Command(
    name = "tokens",
    mixinStandardHelpOptions = true,
    description = "Issue, list and remove join tokens (through the API, or with -c proxy.yaml).",
    subcommands = {TokensCommand.Add.class, TokensCommand.Ls.class, TokensCommand.Rm.class})
public final class TokensCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * What every tokens subcommand shares: the API through the profile, or the proxy's config and the
   * tokens read from Kafka.
   */
  abstract static class Base implements Callable<Integer> {
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(15);

    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        description =
            "Work in Kafka directly with this proxy's configuration (its Kafka and proxy.ca.dir),"
                + " on a proxy host, instead of through the API.")
    Path config;

    @Mixin ProxyOptions proxy;

    @Spec CommandSpec spec;

    final Clock clock = Clock.systemUTC();

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    /** The proxy's CA directory, once {@link #withTokens} has read the configuration. */
    Path caDir;

    /** Runs {@code work} on the tokens, caught up with Kafka, then cleans up. */
    int withTokens(Work work) {
      ProxyConfig proxy;
      proxy = OperatorConfig.load(config);
      caDir = proxy.caDir();
      ClusterSecret secret;
      try {
        secret = ClusterSecret.read(proxy.caDir());
      } catch (PkiException e) {
        throw CliException.user(e.getMessage());
      }
      Path state;
      try {
        state = Files.createTempDirectory("gatehouse-tokens");
      } catch (IOException e) {
        throw CliException.user("cannot create a temporary directory: " + e.getMessage());
      }
      try (TokenConsole console =
          TokenConsole.open(
              proxy.kafkaSettings().withClientId("gatehouse-tokens"),
              new TopicNames(proxy.topicPrefix()),
              proxy.topicReplication(),
              state,
              secret,
              clock,
              "tokens-cli@" + Operator.host(),
              KAFKA_TIMEOUT)) {
        return work.run(console.tokens());
      } catch (ProxyException e) {
        throw CliException.unreachable(e.getMessage(), e);
      } finally {
        try {
          FileTree.delete(state);
        } catch (IOException e) {
          spec.commandLine().getErr().println("warning: cannot delete " + state + ": " + e);
        }
      }
    }

    /** Waits for a stage; a failure of the operator's making is a user error. */
    static <T> T await(CompletionStage<T> stage) {
      try {
        return stage.toCompletableFuture().join();
      } catch (CompletionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof ProxyException p && cause.getMessage().startsWith("no join token")) {
          throw CliException.user(p.getMessage());
        }
        throw CliException.unreachable(cause.getMessage(), cause);
      }
    }

    static ArrayNode kindsJson(Set<ResourceKind> kinds) {
      ArrayNode out = ReadCommand.JSON.createArrayNode();
      kinds.stream().sorted().map(ResourceKind::word).forEach(out::add);
      return out;
    }

    /** {@code app,db} of a JSON list of kinds. */
    static String kinds(JsonNode kinds) {
      List<String> words = new java.util.ArrayList<>();
      kinds.forEach(k -> words.add(k.asText()));
      return String.join(",", words);
    }

    static String uses(JsonNode t) {
      JsonNode max = t.path("max_uses");
      return t.path("uses").asInt(0) + "/" + (max.isNumber() ? max.asInt() : "unlimited");
    }

    static void maxUses(ObjectNode node, JoinToken t) {
      if (t.maxUses().isPresent()) {
        node.put("max_uses", t.maxUses().getAsInt());
      } else {
        node.putNull("max_uses");
      }
    }

    void printJson(JsonNode node) {
      try {
        out().println(ReadCommand.JSON.writeValueAsString(node));
        out().flush();
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    /** What a subcommand does with the tokens; returns the exit code. */
    @FunctionalInterface
    interface Work {
      int run(JoinTokens tokens);
    }
  }

  /** {@code tokens add --kinds app,db [--ttl 30m] [--uses N] [--description TEXT]}. */
  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Issue a join token; it is printed this once and stored only as a keyed hash.")
  public static final class Add extends Base {
    @Option(
        names = "--kinds",
        required = true,
        split = ",",
        paramLabel = "KIND[,KIND...]",
        description = "Kinds an agent joining with it may serve: app, db, desktop, kube.")
    List<String> kinds;

    @Option(
        names = "--ttl",
        paramLabel = "DURATION",
        defaultValue = "30m",
        description = "How long it may be used, at most 24h (default: ${DEFAULT-VALUE}).")
    String ttl;

    @Option(
        names = "--uses",
        paramLabel = "N",
        description = "How many distinct agents may join with it (default: any number).")
    Integer uses;

    @Option(names = "--description", paramLabel = "TEXT", description = "A note for tokens ls.")
    String description;

    @Option(
        names = "--format",
        paramLabel = "text|json",
        defaultValue = "text",
        description = "Output format (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public Integer call() {
      TokenRequest request = request();
      if (config == null) {
        ObjectNode body = ReadCommand.JSON.createObjectNode();
        body.set("kinds", kindsJson(request.kinds()));
        body.put("ttl", ttl);
        if (uses != null) {
          body.put("uses", uses);
        }
        if (description != null) {
          body.put("description", description);
        }
        String text;
        try {
          text = ReadCommand.JSON.writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
        print(proxy.client().post("/v1/tokens", "application/json", text));
        return ExitCodes.OK;
      }
      return withTokens(
          tokens -> {
            IssuedToken issued = await(tokens.add(request));
            JoinToken t = issued.info();
            ObjectNode node = ReadCommand.JSON.createObjectNode();
            node.put("token", issued.token()).put("id", t.id());
            node.set("kinds", kindsJson(t.kinds()));
            node.put("created", t.createdAt().toString());
            node.put("expires", t.expiresAt().toString());
            maxUses(node, t);
            node.put("ca_pin", caPin());
            print(node);
            return ExitCodes.OK;
          });
    }

    /** Checked here as the proxy checks it, so a bad flag fails before anything is sent. */
    private TokenRequest request() {
      Set<ResourceKind> parsed = EnumSet.noneOf(ResourceKind.class);
      for (String k : kinds) {
        try {
          parsed.add(ResourceKind.of(k.strip()));
        } catch (EventException e) {
          throw CliException.user("--kinds: " + e.getMessage());
        }
      }
      Duration life;
      try {
        life = Durations.parse(ttl);
      } catch (IllegalArgumentException e) {
        throw CliException.user("--ttl: " + e.getMessage());
      }
      try {
        return new TokenRequest(
            parsed,
            life,
            uses == null ? OptionalInt.empty() : OptionalInt.of(uses),
            Operator.who(),
            description);
      } catch (IllegalArgumentException e) {
        throw CliException.user(e.getMessage());
      }
    }

    /** The pin a joining agent checks the proxy by, from the CA's certificate alone. */
    private String caPin() {
      try {
        return CaPin.of(ClusterCa.readCertificate(caDir)).toString();
      } catch (PkiException e) {
        throw CliException.user(e.getMessage());
      }
    }

    /** Prints an issued token: {@code token, id, kinds, created, expires, max_uses, ca_pin}. */
    private void print(JsonNode t) {
      if (format == Format.json) {
        printJson(t);
        return;
      }
      Instant created = Instant.parse(t.path("created").asText());
      Instant expires = Instant.parse(t.path("expires").asText());
      PrintWriter out = out();
      out.println("token:   " + t.path("token").asText());
      out.println("id:      " + t.path("id").asText());
      out.println("kinds:   " + kinds(t.path("kinds")));
      out.println(
          "expires: "
              + expires
              + " (in "
              + Durations.format(Duration.between(created, expires))
              + ")");
      out.println("uses:    " + uses(t));
      out.println("CA pin:  " + t.path("ca_pin").asText());
      out.println(
          "The token is shown only this once: give it to the agent (agent.join.token_file).");
      out.flush();
    }
  }

  /** {@code tokens ls}: every token, expired and used-up ones included. */
  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description = "List join tokens (never the tokens themselves).")
  public static final class Ls extends Base {
    @Option(
        names = "--format",
        paramLabel = "text|json",
        defaultValue = "text",
        description = "Output format (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public Integer call() {
      if (config == null) {
        print(proxy.client().get("/v1/tokens"));
        return ExitCodes.OK;
      }
      return withTokens(
          tokens -> {
            print(json(tokens.tokens(), clock.instant()));
            return ExitCodes.OK;
          });
    }

    /** The tokens as the API lists them. */
    private static ArrayNode json(List<JoinToken> all, Instant now) {
      ArrayNode array = ReadCommand.JSON.createArrayNode();
      for (JoinToken t : all) {
        ObjectNode node = array.addObject();
        node.put("id", t.id());
        node.set("kinds", kindsJson(t.kinds()));
        node.put("created", t.createdAt().toString()).put("expires", t.expiresAt().toString());
        node.put("uses", t.uses());
        maxUses(node, t);
        node.put("status", t.status(now))
            .put("created_by", t.createdBy())
            .put("description", t.description());
      }
      return array;
    }

    private void print(JsonNode all) {
      if (format == Format.json) {
        printJson(all);
        return;
      }
      Table table = new Table("ID", "KINDS", "EXPIRES", "USES", "STATUS", "CREATED BY", "NOTE");
      for (JsonNode t : all) {
        table.row(
            t.path("id").asText(),
            kinds(t.path("kinds")),
            t.path("expires").asText(),
            uses(t),
            t.path("status").asText(),
            t.path("created_by").asText(),
            t.path("description").isTextual() ? t.path("description").asText() : "-");
      }
      table.print(out());
    }
  }

  /** {@code tokens rm ID}: removes a token; agents can no longer join with it. */
  @Command(
      name = "rm",
      mixinStandardHelpOptions = true,
      description = "Remove a join token by the id tokens ls shows.")
  public static final class Rm extends Base {
    @Parameters(paramLabel = "ID", description = "The token's id, as tokens ls shows it.")
    String id;

    @Override
    public Integer call() {
      if (!id.matches("[0-9a-f]{1,64}")) {
        throw CliException.user("'" + id + "' is no token id: tokens ls shows them (hex digits)");
      }
      if (config == null) {
        proxy.client().delete("/v1/tokens/" + id);
        out().println("removed join token " + id);
        out().flush();
        return ExitCodes.OK;
      }
      return withTokens(
          tokens -> {
            JoinToken removed = await(tokens.remove(id, Operator.who()));
            out().println("removed join token " + removed.id());
            out().flush();
            return ExitCodes.OK;
          });
    }
  }
}
