package io.gatehouse.agent;

import io.gatehouse.config.ConfigDocument;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.resource.LabelSelector;
import io.gatehouse.relay.ResponseTimeout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An agent's configuration ({@code agent.yaml}), parsed and validated once: immutable, with every
 * default applied. The shape mirrors the file; {@code docs/agent.md} is the reference.
 *
 * @param source the file it was read from, for messages
 * @param agent the {@code agent:} section
 * @param services the four services, one per {@link ResourceKind}, in the order of that enum
 */
public record AgentConfig(String source, Settings agent, List<Service> services) {
  public AgentConfig {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(agent, "agent");
    services = List.copyOf(services);
    for (ResourceKind kind : ResourceKind.values()) {
      if (services.stream().filter(s -> s.kind() == kind).count() != 1) {
        throw new IllegalArgumentException("exactly one service of kind " + kind + " is required");
      }
    }
  }

  /**
   * Reads and validates a file.
   *
   * @throws ConfigException listing every problem as {@code file: key.path: reason}, one per line
   */
  public static AgentConfig load(Path file) {
    return AgentConfigReader.read(ConfigDocument.load(file));
  }

  /**
   * Parses and validates YAML text.
   *
   * @param sourceName how to name the text in problems, e.g. its file name
   * @throws ConfigException listing every problem as {@code source: key.path: reason}, one per line
   */
  public static AgentConfig parse(String yaml, String sourceName) {
    return AgentConfigReader.read(ConfigDocument.parse(yaml, sourceName));
  }

  /** The service that serves resources of {@code kind}. */
  public Service service(ResourceKind kind) {
    return services.stream().filter(s -> s.kind() == kind).findFirst().orElseThrow();
  }

  /**
   * The {@code agent:} section.
   *
   * @param id the agent's id; empty means host name plus a random suffix, chosen at start
   * @param proxy the proxy (or a load balancer in front of proxies) the agent dials its tunnel to
   * @param join how to join the cluster when the data directory holds no certificate yet
   * @param dataDir where the agent keeps its key, certificate and the cluster CA's certificate
   *     ({@code agent.key}, {@code agent.crt}, {@code ca.crt}); default {@code
   *     ./.gatehouse/agent-<id>}, or {@code ./.gatehouse/agent} without a configured id (which is
   *     then the one its certificate names, once joined)
   * @param relay relay timeouts and pooling
   * @param metrics where Prometheus scrapes the agent's meters, if anywhere
   * @param shutdownTimeout how long a graceful stop may wait for a proxy to confirm that the
   *     agent's heartbeats are tombstoned
   * @param zone the zone the agent runs in ({@code zone}, a {@link io.gatehouse.config.ZoneName}),
   *     told to proxies with everything it serves so that a proxy routing {@code same-zone-first}
   *     prefers the agents of its own zone; empty (the default): the agent is in no zone
   * @param drainTimeout how long a graceful stop (SIGTERM, {@code gatehouse agents drain}) lets the
   *     sessions still open finish before it closes them; zero closes them at once
   */
  public record Settings(
      Optional<String> id,
      HostPort proxy,
      Optional<Join> join,
      Optional<Path> dataDir,
      Relay relay,
      Metrics metrics,
      Duration shutdownTimeout,
      Optional<String> zone,
      Duration drainTimeout) {
    public Settings {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(proxy, "proxy");
      Objects.requireNonNull(join, "join");
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(relay, "relay");
      Objects.requireNonNull(metrics, "metrics");
      Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
      Objects.requireNonNull(zone, "zone");
      Objects.requireNonNull(drainTimeout, "drainTimeout");
    }
  }

  /**
   * The {@code agent.join:} section: a join token (in the file, or inline) and the pin of the
   * cluster CA the proxy must present. Used once; afterwards the agent's certificate in its data
   * directory is enough.
   *
   * @param inlineToken the token itself, when given inline ({@code token})
   * @param tokenFile the file holding it ({@code token_file}), read only when joining
   * @param caPin {@code sha256:<hex>} of the cluster CA's public key
   */
  public record Join(
      Optional<String> inlineToken,
      Optional<Path> tokenFile,
      Optional<String> inlineCaPin,
      Optional<Path> caPinFile) {
    public Join {
      Objects.requireNonNull(inlineToken, "inlineToken");
      Objects.requireNonNull(tokenFile, "tokenFile");
      Objects.requireNonNull(inlineCaPin, "inlineCaPin");
      Objects.requireNonNull(caPinFile, "caPinFile");
    }

    /**
     * The CA pin: inline, or read from {@code ca_pin_file} now (a joined agent never reads it).
     *
     * @throws AgentException naming the file when it cannot be read or holds no pin
     */
    public String caPin() {
      if (inlineCaPin.isPresent()) {
        return inlineCaPin.get();
      }
      Path file = caPinFile.orElseThrow();
      try {
        return io.gatehouse.pki.CaPin.parse(java.nio.file.Files.readString(file).strip())
            .toString();
      } catch (java.io.IOException e) {
        throw new AgentException(
            "agent.join.ca_pin_file: cannot read "
                + file
                + " ("
                + e.getClass().getSimpleName()
                + ")",
            e);
      } catch (io.gatehouse.pki.PkiException e) {
        throw new AgentException("agent.join.ca_pin_file: " + file + ": " + e.getMessage(), e);
      }
    }

    /**
     * The token: inline, or read from {@code token_file} now (a joined agent never reads it).
     *
     * @throws AgentException naming the file, never its content, when it cannot be read or is empty
     */
    public String token() {
      if (inlineToken.isPresent()) {
        return inlineToken.get();
      }
      Path file = tokenFile.orElseThrow();
      String text;
      try {
        text = java.nio.file.Files.readString(file).strip();
      } catch (java.io.IOException e) {
        throw new AgentException(
            "agent.join.token_file: cannot read "
                + file
                + " ("
                + e.getClass().getSimpleName()
                + ")",
            e);
      }
      if (text.isEmpty()) {
        throw new AgentException("agent.join.token_file: " + file + " is empty");
      }
      return text;
    }

    /** Never shows the token. */
    @Override
    public String toString() {
      return "Join[token=(redacted)"
          + tokenFile.map(f -> " from " + f).orElse("")
          + ", caPin="
          + inlineCaPin.orElse(caPinFile.map(Path::toString).orElse(""))
          + "]";
    }
  }

  /**
   * The {@code agent.relay:} section.
   *
   * @param connectTimeout how long dialing an upstream may take before the proxy gets {@code 504
   *     upstream-timeout}
   * @param responseTimeout how long an HTTP upstream may take to send response headers
   * @param poolSize keep-alive connections kept per HTTP upstream
   */
  public record Relay(Duration connectTimeout, Duration responseTimeout, int poolSize) {
    public static final Relay DEFAULT =
        new Relay(Duration.ofSeconds(5), ResponseTimeout.UPSTREAM_DEFAULT, 64);

    public Relay {
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(responseTimeout, "responseTimeout");
    }
  }

  /**
   * The {@code agent.metrics:} section.
   *
   * @param listen where {@code GET /metrics} answers in Prometheus text format; empty (the default)
   *     means no metrics port. Port 0 picks a free port.
   */
  public record Metrics(Optional<HostPort> listen) {
    public static final Metrics DISABLED = new Metrics(Optional.empty());

    public Metrics {
      Objects.requireNonNull(listen, "listen");
    }
  }

  /**
   * One of {@code app_service}, {@code db_service}, {@code desktop_service}, {@code
   * kubernetes_service}.
   *
   * @param kind the kind of resource it serves
   * @param enabled whether it serves anything
   * @param statics the resources listed in the file ({@code apps}, {@code databases}, {@code
   *     desktops}, {@code clusters})
   * @param watchers the dynamic watchers ({@code resources}): resources of this kind on {@code
   *     gatehouse.resources} matching any of them are served, if one that matches allows where they
   *     point
   */
  public record Service(
      ResourceKind kind, boolean enabled, List<StaticResource> statics, List<Watcher> watchers) {
    public Service {
      Objects.requireNonNull(kind, "kind");
      statics = List.copyOf(statics);
      watchers = List.copyOf(watchers);
    }

    /** The watchers' label selectors, in order. */
    public List<LabelSelector> selectors() {
      return watchers.stream().map(Watcher::labels).toList();
    }

    /** A service that serves nothing. */
    public static Service disabled(ResourceKind kind) {
      return new Service(kind, false, List.of(), List.of());
    }
  }

  /**
   * One entry of a service's {@code resources}: which dynamic resources it serves and where they
   * may point.
   *
   * @param labels the {@code labels} selector
   * @param destinations the {@code destinations} allow-list (any address but those refused by
   *     default, when absent)
   * @param healthCheck how the resources it serves are checked: its {@code health_check} over the
   *     service's
   */
  public record Watcher(
      LabelSelector labels, DestinationRules destinations, HealthCheck healthCheck) {
    public Watcher {
      Objects.requireNonNull(labels, "labels");
      Objects.requireNonNull(destinations, "destinations");
      Objects.requireNonNull(healthCheck, "healthCheck");
    }

    /** A watcher whose resources are checked as {@link HealthCheck#DEFAULT} says. */
    public Watcher(LabelSelector labels, DestinationRules destinations) {
      this(labels, destinations, HealthCheck.DEFAULT);
    }
  }

  /**
   * A resource listed in the file.
   *
   * @param kind its kind
   * @param name DNS-label style name, unique within the service
   * @param labels its labels
   * @param uri the upstream: {@code http(s)://} or {@code tcp://} for apps, {@code http(s)://} for
   *     clusters, {@code host:port} or {@code tcp://host:port} for databases and desktops
   * @param protocol wire protocol of a database or desktop ({@code postgres}, {@code rdp}, ...)
   * @param healthCheck how its upstream is checked: its {@code health_check} over the service's
   */
  public record StaticResource(
      ResourceKind kind,
      String name,
      Map<String, String> labels,
      String uri,
      Optional<String> protocol,
      HealthCheck healthCheck) {
    public StaticResource {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(name, "name");
      labels = Map.copyOf(labels);
      Objects.requireNonNull(uri, "uri");
      Objects.requireNonNull(protocol, "protocol");
      Objects.requireNonNull(healthCheck, "healthCheck");
    }

    /** A resource checked as {@link HealthCheck#DEFAULT} says. */
    public StaticResource(
        ResourceKind kind,
        String name,
        Map<String, String> labels,
        String uri,
        Optional<String> protocol) {
      this(kind, name, labels, uri, protocol, HealthCheck.DEFAULT);
    }
  }
}
