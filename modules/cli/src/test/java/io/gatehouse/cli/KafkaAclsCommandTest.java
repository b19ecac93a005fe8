package io.gatehouse.cli;

import static io.gatehouse.cli.Invocation.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code gatehouse kafka acls} without a cluster: what it prints and what it refuses. */
class KafkaAclsCommandTest {

  @Test
  void printsTheProxyRolesAclsAsKafkaAclsCommands() {
    Invocation r = run("kafka", "acls", "--principal", "User:gatehouse-proxy", "--role", "proxy");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines())
        .containsExactly(
            "# Kafka ACLs for User:gatehouse-proxy as proxy under prefix gatehouse; run as an"
                + " admin, admin.properties being its client config",
            "kafka-acls.sh --bootstrap-server BOOTSTRAP --command-config admin.properties --add"
                + " --allow-principal User:gatehouse-proxy --allow-host '*' --operation Read"
                + " --operation Write --operation Create --operation Describe --operation"
                + " DescribeConfigs --topic gatehouse. --resource-pattern-type prefixed",
            "kafka-acls.sh --bootstrap-server BOOTSTRAP --command-config admin.properties --add"
                + " --allow-principal User:gatehouse-proxy --allow-host '*' --operation"
                + " IdempotentWrite --cluster");
  }

  @Test
  void theAuditReaderGetsTheAuditTopicOfItsPrefix() {
    Invocation r =
        run(
            "kafka",
            "acls",
            "--principal",
            "User:siem",
            "--role",
            "audit-reader",
            "--topic-prefix",
            "prod");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("--operation Read --operation Describe --topic prod.audit\n")
        .contains("--operation Read --group prod.audit --resource-pattern-type prefixed")
        .doesNotContain("Write");
  }

  @Test
  void refusesAnUnknownRoleABadPrincipalAndApplyWithoutAConfig() {
    Invocation role = run("kafka", "acls", "--principal", "User:x", "--role", "admin");
    assertThat(role.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(role.err()).contains("--role 'admin' is not one of proxy, audit-reader");

    Invocation principal = run("kafka", "acls", "--principal", "x", "--role", "proxy");
    assertThat(principal.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(principal.err()).contains("principal 'x' must be User:<name>");

    Invocation apply = run("kafka", "acls", "--principal", "User:x", "--role", "proxy", "--apply");
    assertThat(apply.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(apply.err()).contains("--apply needs -c proxy.yaml");
  }
}
