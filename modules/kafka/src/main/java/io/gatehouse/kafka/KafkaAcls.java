package io.gatehouse.kafka;

import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka ACLs one principal needs for one Gatehouse role, and nothing more, so that on a cluster
 * whose authorizer denies what no ACL allows, only the proxies can write the topics proxies route
 * from:
 *
 * <ul>
 *   <li>{@link Role#PROXY}: read, write, create, describe and describe-configs on every topic under
 *       {@code <prefix>.} (one PREFIXED pattern, so a topic the contract adds later is covered),
 *       and idempotent write on the cluster (required by brokers before Kafka 3.0; harmless since).
 *       Proxies read with {@code assign()} and keep their positions in RocksDB, so they use no
 *       consumer group and no transactional id, and get ACLs for neither.
 *   <li>{@link Role#AUDIT_READER}: read and describe on {@code <prefix>.audit} only (a LITERAL
 *       pattern), and read on consumer groups named {@code <prefix>.audit...}, for an outside
 *       consumer that commits its offsets. It can write nothing.
 * </ul>
 *
 * Agents get no principal: they reach Kafka only through a proxy's tunnel. Every binding allows
 * from any host ({@code *}); network rules are the firewall's job.
 *
 * @param principal Kafka's principal, {@code User:<name>} (for SCRAM, the user name)
 * @param role what the principal does
 * @param names the installation's topic prefix
 */
public record KafkaAcls(String principal, Role role, TopicNames names) {

  private static final Pattern PRINCIPAL = Pattern.compile("User:[^\\s*]+");
  private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);

  public KafkaAcls {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(names, "names");
    if (!PRINCIPAL.matcher(principal).matches()) {
      throw new IllegalArgumentException(
          "principal '" + principal + "' must be User:<name>, e.g. User:gatehouse-proxy");
    }
  }

  /** The bindings, grouped by resource, in a fixed order. */
  public List<AclBinding> bindings() {
    List<AclBinding> out = new ArrayList<>();
    switch (role) {
      case PROXY -> {
        ResourcePattern topics =
            new ResourcePattern(ResourceType.TOPIC, names.prefix() + ".", PatternType.PREFIXED);
        for (AclOperation op :
            List.of(
                AclOperation.READ,
                AclOperation.WRITE,
                AclOperation.CREATE,
                AclOperation.DESCRIBE,
                AclOperation.DESCRIBE_CONFIGS)) {
          out.add(allow(topics, op));
        }
        out.add(
            allow(
                new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
                AclOperation.IDEMPOTENT_WRITE));
      }
      case AUDIT_READER -> {
        ResourcePattern audit =
            new ResourcePattern(ResourceType.TOPIC, names.of(Topic.AUDIT), PatternType.LITERAL);
        out.add(allow(audit, AclOperation.READ));
        out.add(allow(audit, AclOperation.DESCRIBE));
        out.add(
            allow(
                new ResourcePattern(
                    ResourceType.GROUP, names.of(Topic.AUDIT), PatternType.PREFIXED),
                AclOperation.READ));
      }
    }
    return List.copyOf(out);
  }

  /**
   * The same ACLs as {@code kafka-acls.sh} commands, one per resource, for an operator who applies
   * them with Kafka's own tools ({@code admin.properties} being an admin's client config).
   */
  public List<String> commands(String bootstrap) {
    Map<ResourcePattern, List<AclOperation>> byResource = new LinkedHashMap<>();
    for (AclBinding b : bindings()) {
      byResource.computeIfAbsent(b.pattern(), p -> new ArrayList<>()).add(b.entry().operation());
    }
    List<String> out = new ArrayList<>();
    byResource.forEach(
        (pattern, ops) ->
            out.add(
                "kafka-acls.sh --bootstrap-server "
                    + bootstrap
                    + " --command-config admin.properties --add --allow-principal "
                    + principal
                    + " --allow-host '*' "
                    + ops.stream()
                        .map(op -> "--operation " + camel(op))
                        .collect(Collectors.joining(" "))
                    + " "
                    + resource(pattern)));
    return out;
  }

  /**
   * Creates the bindings on the cluster {@code admin} talks to; ACLs that exist already are left as
   * they are, so applying twice is harmless.
   *
   * @throws AclSetupException when the cluster has no authorizer, the admin's principal may not
   *     create ACLs, or the cluster does not answer within 30 s
   */
  public void apply(Admin admin) {
    try {
      admin.createAcls(bindings()).all().get(APPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      String why =
          cause instanceof SecurityDisabledException
              ? "the cluster has no authorizer (set authorizer.class.name on the brokers)"
              : cause instanceof ClusterAuthorizationException
                  ? "this client's principal may not create ACLs (use an admin's login: a super"
                      + " user, or one allowed ALTER on the cluster)"
                  : cause.getClass().getSimpleName() + ": " + cause.getMessage();
      throw new AclSetupException("cannot create the ACLs of " + this + ": " + why, cause);
    } catch (TimeoutException e) {
      throw new AclSetupException(
          "cannot create the ACLs of " + this + ": no answer within " + APPLY_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AclSetupException("interrupted creating the ACLs of " + this, e);
    }
  }

  @Override
  public String toString() {
    return principal + " as " + role.label() + " under prefix " + names.prefix();
  }

  private AclBinding allow(ResourcePattern pattern, AclOperation op) {
    return new AclBinding(
        pattern, new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
  }

  private static String resource(ResourcePattern pattern) {
    String type =
        switch (pattern.resourceType()) {
          case CLUSTER -> "--cluster";
          case TOPIC -> "--topic " + pattern.name();
          case GROUP -> "--group " + pattern.name();
          default -> throw new IllegalStateException("no ACLs on " + pattern.resourceType());
        };
    return pattern.patternType() == PatternType.PREFIXED
        ? type + " --resource-pattern-type prefixed"
        : type;
  }

  /** {@code DESCRIBE_CONFIGS} as kafka-acls.sh spells it: {@code DescribeConfigs}. */
  private static String camel(AclOperation op) {
    StringBuilder out = new StringBuilder();
    for (String word : op.name().split("_")) {
      out.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
    }
    return out.toString();
  }

  /** What a principal does in a Gatehouse installation. */
  public enum Role {
    /** A proxy: the only writer of the topics. */
    PROXY("proxy"),
    /** An outside consumer of the audit stream. */
    AUDIT_READER("audit-reader");

    private final String label;

    Role(String label) {
      this.label = label;
    }

    /** The name the CLI and the docs use: {@code proxy}, {@code audit-reader}. */
    public String label() {
      return label;
    }

    /** The role called {@code label}, if there is one. */
    public static Optional<Role> labelled(String label) {
      for (Role r : values()) {
        if (r.label.equals(label)) {
          return Optional.of(r);
        }
      }
      return Optional.empty();
    }
  }
}
