package io.gatehouse.proxy.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.events.ResourceKind;
import io.gatehouse.proxy.routing.TargetHealth;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServeLineTest {
  private static JsonObject serve(String agent, String kind, String name) {
    return new JsonObject()
        .put("agent", agent)
        .put("kind", kind)
        .put("name", name)
        .put("labels", new JsonObject().put("env", "dev"))
        .put("uri", kind.equals("db") ? "127.0.0.1:5432" : "http://127.0.0.1:8080")
        .put("origin", "static");
  }

  @Test
  void readsAResourceTheCertificateAllows() {
    ServeLine line = ServeLine.parse(serve("a", "app", "web"), "a", Set.of("app"));
    assertThat(line)
        .isEqualTo(
            new ServeLine(
                ResourceKind.APP,
                "web",
                Map.of("env", "dev"),
                "http://127.0.0.1:8080",
                Optional.empty(),
                "static"));
    assertThat(line.key()).isEqualTo("app/web");
  }

  @Test
  void anAgentCannotHeartbeatAsAnotherAgent() {
    assertThatThrownBy(() -> ServeLine.parse(serve("b", "app", "web"), "a", Set.of("app")))
        .isInstanceOf(ServeLine.Refused.class)
        .hasMessage("this tunnel belongs to agent a; it cannot heartbeat as agent b");
    assertThatThrownBy(
            () -> ServeLine.parse(serve("a", "app", "web").put("agent", null), "a", Set.of("app")))
        .isInstanceOf(ServeLine.Refused.class)
        .hasMessage("'agent' is missing or not a string");
  }

  @Test
  void anAppCertificateCannotHeartbeatADatabase() {
    assertThatThrownBy(() -> ServeLine.parse(serve("a", "db", "pg"), "a", Set.of("app")))
        .isInstanceOf(ServeLine.Refused.class)
        .hasMessage("the certificate of agent a allows kinds app, not db");
  }

  @Test
  void aResourceBreakingTheRulesIsRefusedWithTheReason() {
    assertThatThrownBy(() -> ServeLine.parse(serve("a", "app", "Not A Name"), "a", Set.of("app")))
        .isInstanceOf(ServeLine.Refused.class)
        .hasMessageContaining("Not A Name");
    assertThatThrownBy(
            () ->
                ServeLine.parse(serve("a", "app", "web").put("uri", "ftp://x"), "a", Set.of("app")))
        .isInstanceOf(ServeLine.Refused.class)
        .hasMessageContaining("ftp://x");
    assertThatThrownBy(
            () ->
                ServeLine.parse(
                    serve("a", "app", "web").put("origin", "forged"), "a", Set.of("app")))
        .isInstanceOf(ServeLine.Refused.class)
        .hasMessage("origin must be static or dynamic, not 'forged'");
    assertThatThrownBy(() -> ServeLine.parse(serve("a", "tape", "web"), "a", Set.of("app")))
        .isInstanceOf(ServeLine.Refused.class)
        .hasMessage("unknown resource kind 'tape'");
    assertThatThrownBy(
            () ->
                ServeLine.parse(
                    serve("a", "app", "web").put("labels", new JsonObject().put("k", 1)),
                    "a",
                    Set.of("app")))
        .isInstanceOf(ServeLine.Refused.class)
        .hasMessageContaining("label 'k'");
  }

  @Test
  void readsTheTargetHealthTheAgentReports() {
    JsonObject serve =
        serve("a", "db", "pg")
            .put(
                "health",
                new JsonObject()
                    .put("state", "unhealthy")
                    .put("reason", "Connection refused")
                    .put("since", 1_700_000_000_000L));
    assertThat(ServeLine.parse(serve, "a", Set.of("db")).health())
        .contains(
            new TargetHealth(
                TargetHealth.State.UNHEALTHY,
                "Connection refused",
                Instant.ofEpochMilli(1_700_000_000_000L)));
    serve.getJsonObject("health").put("state", "sideways");
    assertThat(ServeLine.parse(serve, "a", Set.of("db")).health().orElseThrow().state())
        .as("a word this proxy does not know is unknown")
        .isEqualTo(TargetHealth.State.UNKNOWN);
    assertThat(ServeLine.parse(serve("a", "db", "pg"), "a", Set.of("db")).health()).isEmpty();
    assertThatThrownBy(
            () -> ServeLine.parse(serve("a", "db", "pg").put("health", "up"), "a", Set.of("db")))
        .isInstanceOf(ServeLine.Refused.class)
        .hasMessage("health must be an object");
  }

  @Test
  void readsTheZoneTheAgentNamesAndRefusesABadOne() {
    assertThat(
            ServeLine.parse(serve("a", "db", "pg").put("zone", "eu-west-1a"), "a", Set.of("db"))
                .zone())
        .contains("eu-west-1a");
    assertThat(ServeLine.parse(serve("a", "db", "pg"), "a", Set.of("db")).zone()).isEmpty();
    assertThatThrownBy(
            () -> ServeLine.parse(serve("a", "db", "pg").put("zone", "eu 1"), "a", Set.of("db")))
        .isInstanceOf(ServeLine.Refused.class)
        .hasMessageStartingWith("invalid zone 'eu 1'");
    assertThatThrownBy(
            () -> ServeLine.parse(serve("a", "db", "pg").put("zone", 7), "a", Set.of("db")))
        .isInstanceOf(ServeLine.Refused.class)
        .hasMessage("zone must be a string");
  }
}
