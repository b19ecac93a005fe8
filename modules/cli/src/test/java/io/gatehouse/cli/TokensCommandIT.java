package io.gatehouse.cli;

import static io.gatehouse.cli.Invocation.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.testkit.KafkaBrokerExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code gatehouse tokens add|ls|rm -c proxy.yaml} against a real broker. */
class TokensCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path dir;
  private String config;
  private String pin;

  @BeforeEach
  void proxyHost() throws IOException {
    Path ca = dir.resolve("ca");
    pin = ClusterCa.init(ca, Clock.systemUTC(), new SecureRandom()).pin().toString();
    config = proxyYaml(ca).toString();
  }

  private Path proxyYaml(Path ca) throws IOException {
    return Files.writeString(
        dir.resolve("proxy.yaml"),
        """
        proxy:
          id: proxy-1
          kafka: { bootstrap: "%s" }
          ca: { dir: "%s" }
          topic_prefix: %s
        """
            .formatted(
                kafka.bootstrapServers(), ca, kafka.uniquePrefix("cli").replaceAll("\\.$", "")));
  }

  private static JsonNode json(Invocation r) throws IOException {
    assertThat(r.code()).as(r.err()).isZero();
    return JSON.readTree(r.out());
  }

  @Test
  void addPrintsTheTokenOnceAndLsShowsItWithoutIt() throws IOException {
    Invocation added = run("tokens", "add", "--kinds", "app,db", "--uses", "1", "-c", config);

    assertThat(added.code()).as(added.err()).isZero();
    String token = added.out().lines().findFirst().orElseThrow().replace("token:", "").strip();
    assertThat(token).matches("gh-join-[0-9a-f]{64}");
    assertThat(added.out()).contains("kinds:   app,db", "uses:    0/1", "(in 30m)");

    Invocation ls = run("tokens", "ls", "-c", config);
    assertThat(ls.code()).as(ls.err()).isZero();
    assertThat(ls.out()).contains("ID", "app,db", "0/1", "active").doesNotContain(token);
  }

  @Test
  void addAsJsonGivesTokenIdKindsExpiryAndPin() throws IOException {
    Instant before = Instant.now();
    JsonNode t =
        json(
            run(
                "tokens",
                "add",
                "--kinds",
                "kube",
                "--ttl",
                "2h",
                "--description",
                "rack 4",
                "--format",
                "json",
                "-c",
                config));

    assertThat(t.get("token").asText()).startsWith("gh-join-");
    assertThat(t.get("id").asText()).hasSize(12);
    assertThat(t.get("kinds").toString()).isEqualTo("[\"kube\"]");
    assertThat(Instant.parse(t.get("expires").asText()))
        .isBetween(before.plus(Duration.ofHours(2)), Instant.now().plus(Duration.ofHours(2)));
    assertThat(t.get("ca_pin").asText()).isEqualTo(pin).startsWith("sha256:");

    JsonNode ls = json(run("tokens", "ls", "--format", "json", "-c", config));
    assertThat(ls)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.get("id").asText()).isEqualTo(t.get("id").asText());
              assertThat(e.get("description").asText()).isEqualTo("rack 4");
              assertThat(e.get("max_uses").isNull()).isTrue();
              assertThat(e.has("token")).isFalse();
            });
  }

  @Test
  void rmRemovesByIdAndRefusesAnUnknownOne() throws IOException {
    String id =
        json(run("tokens", "add", "--kinds", "app", "--format", "json", "-c", config))
            .get("id")
            .asText();

    Invocation rm = run("tokens", "rm", id, "-c", config);

    assertThat(rm.code()).as(rm.err()).isZero();
    assertThat(rm.out()).contains("removed join token " + id);
    assertThat(json(run("tokens", "ls", "--format", "json", "-c", config))).isEmpty();
    Invocation again = run("tokens", "rm", id, "-c", config);
    assertThat(again.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(again.err()).contains("no join token with id '" + id + "'");
  }

  @Test
  void badKindsTtlAndMissingSecretAreUserErrors() throws IOException {
    Invocation kind = run("tokens", "add", "--kinds", "app,printer", "-c", config);
    assertThat(kind.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(kind.err()).contains("unknown resource kind 'printer'", "app, db, desktop or kube");

    Invocation ttl = run("tokens", "add", "--kinds", "app", "--ttl", "48h", "-c", config);
    assertThat(ttl.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(ttl.err()).contains("ttl 2d is out of range", "to 1d");

    String noSecret = proxyYaml(dir.resolve("empty-ca")).toString();
    Invocation secret = run("tokens", "ls", "-c", noSecret);
    assertThat(secret.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(secret.err()).contains("no cluster secret", "gatehouse ca init");
  }
}
