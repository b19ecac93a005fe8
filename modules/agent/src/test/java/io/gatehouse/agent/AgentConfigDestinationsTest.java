package io.gatehouse.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.config.ConfigException;
import io.gatehouse.events.ResourceKind;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code destinations} of a watcher, as read from {@code agent.yaml}. */
class AgentConfigDestinationsTest {
  private static final String AGENT = "agent: { proxy: 'gatehouse.example.com:3080' }\n";

  private static AgentConfig parse(String services) {
    return AgentConfig.parse(AGENT + services, "agent.yaml");
  }

  @Test
  void readsEveryFormOfTheBriefsExample() {
    AgentConfig config =
        parse(
            """
            app_service:
              resources:
                - labels: { env: dev }
                  destinations: [ "10.0.0.0/8", "db.internal:5432", "*.corp.example.com", "127.0.0.1:3090", "[::1]:8080", ":443" ]
                - labels: { env: prod }
            """);
    List<AgentConfig.Watcher> watchers = config.service(ResourceKind.APP).watchers();
    assertThat(watchers).hasSize(2);
    assertThat(watchers.get(0).destinations().watcher()).isEqualTo("app_service.resources[0]");
    assertThat(watchers.get(0).destinations().entries().orElseThrow())
        .extracting(Destination::text)
        .containsExactly(
            "10.0.0.0/8",
            "db.internal:5432",
            "*.corp.example.com",
            "127.0.0.1:3090",
            "[::1]:8080",
            ":443");
    assertThat(watchers.get(1).destinations())
        .as("no destinations key: any address but the refused-by-default set")
        .isEqualTo(DestinationRules.anyAddress("app_service.resources[1]"));
    assertThat(watchers.get(1).destinations().entries()).isEqualTo(Optional.empty());
  }

  @Test
  void aBadEntryIsNamedByFileKeyPathAndReason() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    app_service:
                      resources:
                        - labels: { env: dev }
                          destinations: [ "10.0.0.0/8", "db.internal", "10.0.0.0/33", "a*b" ]
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "agent.yaml: app_service.resources[0].destinations[2]: '10.0.0.0/33' is not a CIDR:"
                + " the prefix length must be 0-32 for IPv4, got '33'")
        .hasMessageContaining(
            "agent.yaml: app_service.resources[0].destinations[3]: 'a*b': a host glob is written"
                + " *.suffix");
  }

  @Test
  void anEmptyListIsAMistakeNotAWayToServeNothing() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    db_service:
                      resources: [ { labels: { "*": "*" }, destinations: [] } ]
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "db_service.resources[0].destinations: an empty list allows no destination");
  }

  @Test
  void destinationsNextToBrokenLabelsAreNotReportedAsUnknown() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    app_service:
                      resources: [ { destinations: [ ":443" ] } ]
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("app_service.resources[0].labels: missing required key")
        .hasMessageNotContaining("unknown");
  }
}
