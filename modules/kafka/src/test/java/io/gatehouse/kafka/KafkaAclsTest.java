package io.gatehouse.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaAcls.Role;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Test;

class KafkaAclsTest {
  private static final TopicNames NAMES = new TopicNames("gatehouse");

  @Test
  void theProxyMayUseEveryTopicUnderThePrefixAndWriteIdempotently() {
    List<String> acls = describe(new KafkaAcls("User:gatehouse-proxy", Role.PROXY, NAMES));

    assertThat(acls)
        .containsExactly(
            "TOPIC PREFIXED gatehouse. READ",
            "TOPIC PREFIXED gatehouse. WRITE",
            "TOPIC PREFIXED gatehouse. CREATE",
            "TOPIC PREFIXED gatehouse. DESCRIBE",
            "TOPIC PREFIXED gatehouse. DESCRIBE_CONFIGS",
            "CLUSTER LITERAL kafka-cluster IDEMPOTENT_WRITE");
  }

  @Test
  void theAuditReaderMayReadTheAuditTopicOnly() {
    List<String> acls = describe(new KafkaAcls("User:siem", Role.AUDIT_READER, NAMES));

    assertThat(acls)
        .containsExactly(
            "TOPIC LITERAL gatehouse.audit READ",
            "TOPIC LITERAL gatehouse.audit DESCRIBE",
            "GROUP PREFIXED gatehouse.audit READ");
  }

  @Test
  void everyBindingAllowsThePrincipalFromAnyHost() {
    for (Role role : Role.values()) {
      for (AclBinding b : new KafkaAcls("User:p", role, NAMES).bindings()) {
        assertThat(b.entry().principal()).isEqualTo("User:p");
        assertThat(b.entry().host()).isEqualTo("*");
        assertThat(b.entry().permissionType().name()).isEqualTo("ALLOW");
      }
    }
  }

  @Test
  void commandsAreKafkaAclsLinesOnePerResource() {
    assertThat(
            new KafkaAcls("User:gatehouse-proxy", Role.PROXY, new TopicNames("prod"))
                .commands("k1:9093"))
        .containsExactly(
            "kafka-acls.sh --bootstrap-server k1:9093 --command-config admin.properties --add"
                + " --allow-principal User:gatehouse-proxy --allow-host '*' --operation Read"
                + " --operation Write --operation Create --operation Describe --operation"
                + " DescribeConfigs --topic prod. --resource-pattern-type prefixed",
            "kafka-acls.sh --bootstrap-server k1:9093 --command-config admin.properties --add"
                + " --allow-principal User:gatehouse-proxy --allow-host '*' --operation"
                + " IdempotentWrite --cluster");
  }

  @Test
  void aPrincipalMustBeAUser() {
    assertThatThrownBy(() -> new KafkaAcls("gatehouse-proxy", Role.PROXY, NAMES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("User:<name>");
    assertThatThrownBy(() -> new KafkaAcls("User:*", Role.PROXY, NAMES))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rolesAreLabelledAsTheCliNamesThem() {
    assertThat(Role.labelled("audit-reader")).contains(Role.AUDIT_READER);
    assertThat(Role.labelled("proxy")).contains(Role.PROXY);
    assertThat(Role.labelled("admin")).isEmpty();
  }

  private static List<String> describe(KafkaAcls acls) {
    return acls.bindings().stream()
        .map(
            b ->
                b.pattern().resourceType()
                    + " "
                    + b.pattern().patternType()
                    + " "
                    + b.pattern().name()
                    + " "
                    + b.entry().operation())
        .toList();
  }
}
