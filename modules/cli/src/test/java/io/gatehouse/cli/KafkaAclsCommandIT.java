package io.gatehouse.cli;

import static io.gatehouse.cli.Invocation.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testkit.KafkaBrokerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code gatehouse kafka acls --apply} and {@code audit tail -c} on a SASL_SSL broker. */
class KafkaAclsCommandIT {
  @RegisterExtension
  static final KafkaBrokerExtension kafka =
      KafkaBrokerExtension.saslSsl(
          Map.of("gatehouse-proxy", "proxy-pw-31b7", "audit-reader", "audit-pw-9e4a"));

  @TempDir Path dir;

  @Test
  void applyCreatesTheRolesAclsOnceAndAgainHarmlessly() throws Exception {
    String prefix = kafka.uniquePrefix("cli").replaceAll("\\.$", "");
    Path admin = proxyYaml("admin.yaml", KafkaBrokerExtension.SUPER_USER, prefix);

    for (int attempt = 0; attempt < 2; attempt++) {
      Invocation r =
          run(
              "kafka",
              "acls",
              "--principal",
              "User:gatehouse-proxy",
              "--role",
              "proxy",
              "--apply",
              "-c",
              admin.toString());
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out()).contains("created 6 ACLs for User:gatehouse-proxy as proxy");
    }

    assertThat(acls("User:gatehouse-proxy"))
        .hasSize(6)
        .anySatisfy(b -> assertThat(b.pattern().name()).isEqualTo(prefix + "."));
  }

  @Test
  void applyWithTheProxysOwnLoginIsRefusedAsItMayNotCreateAcls() throws Exception {
    Path own = proxyYaml("proxy.yaml", "gatehouse-proxy", "cli-own");

    Invocation r =
        run(
            "kafka",
            "acls",
            "--principal",
            "User:gatehouse-proxy",
            "--role",
            "proxy",
            "--apply",
            "-c",
            own.toString());

    assertThat(r.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(r.err())
        .contains("may not create ACLs")
        .doesNotContain(kafka.password("gatehouse-proxy"));
  }

  @Test
  void theAuditReaderTailsTheAuditStreamWithItsOwnLogin() throws Exception {
    String prefix = kafka.uniquePrefix("cli").replaceAll("\\.$", "");
    kafka.admin().createTopics(List.of(new NewTopic(prefix + ".audit", 1, (short) 1))).all().get();
    Path admin = proxyYaml("admin.yaml", KafkaBrokerExtension.SUPER_USER, prefix);
    Path reader = proxyYaml("audit.yaml", "audit-reader", prefix);
    assertThat(
            run(
                    "kafka",
                    "acls",
                    "--principal",
                    "User:audit-reader",
                    "--role",
                    "audit-reader",
                    "--apply",
                    "-c",
                    admin.toString())
                .code())
        .isZero();

    Invocation tail = run("audit", "tail", "-c", reader.toString(), "--no-follow");

    assertThat(tail.code()).as(tail.err()).isZero();
  }

  private Path proxyYaml(String name, String user, String prefix) throws Exception {
    Path password = Files.writeString(dir.resolve(name + ".password"), kafka.password(user));
    return Files.writeString(
        dir.resolve(name),
        """
        proxy:
          kafka:
            bootstrap: "%s"
            security:
              protocol: SASL_SSL
              ca_file: "%s"
              sasl: { username: %s, password_file: "%s" }
          topic_prefix: %s
        """
            .formatted(kafka.bootstrapServers(), kafka.caFile(), user, password, prefix));
  }

  private static Collection<AclBinding> acls(String principal) throws Exception {
    return kafka.admin().describeAcls(AclBindingFilter.ANY).values().get().stream()
        .filter(b -> b.entry().principal().equals(principal))
        .toList();
  }
}
