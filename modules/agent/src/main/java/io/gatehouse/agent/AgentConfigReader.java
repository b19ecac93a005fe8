package io.gatehouse.agent;

import io.gatehouse.config.ConfigDocument;
import io.gatehouse.config.ConfigNode;
import io.gatehouse.config.HostPort;
import io.gatehouse.config.NodeId;
import io.gatehouse.config.ValueParser;
import io.gatehouse.config.ZoneName;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.resource.LabelSelector;
import io.gatehouse.events.resource.ResourceRules;
import io.gatehouse.pki.CaPin;
import io.gatehouse.pki.PkiException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Reads an {@link AgentConfig} from a document, reporting every problem at its key path. */
final class AgentConfigReader {

  /** Section and list key, per kind. */
  private record Section(ResourceKind kind, String key, String listKey) {}

  private static final List<Section> SECTIONS =
      List.of(
          new Section(ResourceKind.APP, "app_service", "apps"),
          new Section(ResourceKind.DB, "db_service", "databases"),
          new Section(ResourceKind.DESKTOP, "desktop_service", "desktops"),
          new Section(ResourceKind.KUBE, "kubernetes_service", "clusters"));

  /** More checks in a row than anyone needs; a typo, more likely. */
  private static final int MAX_THRESHOLD = 100;

  /** How long a graceful stop lets open sessions finish by default: Teleport's, five minutes. */
  static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(5);

  /** A drain longer than this is a typo, more likely: a rolling upgrade would take days. */
  private static final Duration MAX_DRAIN_TIMEOUT = Duration.ofHours(24);

  private AgentConfigReader() {}

  /** {@code 0s} (close open sessions at once) up to a day. */
  private static Duration drainTimeout(String text) {
    Duration d = ValueParser.duration().parse(text);
    if (d.compareTo(MAX_DRAIN_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "at most 24h (sessions still open then are closed), got '" + text + "'");
    }
    return d;
  }

  static AgentConfig read(ConfigDocument doc) {
    ConfigNode root = doc.root();
    AgentConfig.Settings settings = settings(root.object("agent"), root);
    List<AgentConfig.Service> services = new ArrayList<>();
    for (Section section : SECTIONS) {
      services.add(service(root, section));
    }
    doc.requireValid();
    return new AgentConfig(doc.source(), settings, services);
  }

  private static AgentConfig.Settings settings(ConfigNode agent, ConfigNode root) {
    if (!agent.isPresent()) {
      root.problem("agent", "missing required key");
    }
    Optional<String> id = agent.value("id", text -> NodeId.check("agent", text));

    for (String removed : List.of("listen", "advertise")) {
      // Asked for only when present, so "expected one of" never lists them.
      if (agent.keys().contains(removed) && agent.has(removed)) {
        agent.problem(
            removed,
            "agents no longer listen for proxies: they dial out to agent.proxy; remove this key");
      }
    }
    for (String removed : List.of("kafka", "topic_prefix", "heartbeat")) {
      if (agent.keys().contains(removed) && agent.has(removed)) {
        agent.problem(
            removed,
            "agents no longer talk to Kafka: they tell agent.proxy what they serve over their"
                + " tunnel, and proxies write and refresh the heartbeats (proxy.heartbeats); remove"
                + " this key");
      }
    }
    HostPort proxy =
        agent.isPresent()
            ? agent.required("proxy", ValueParser.hostPort()).orElse(new HostPort("invalid", 1))
            : new HostPort("invalid", 1);
    if (proxy.isWildcard()) {
      agent.problem("proxy", "'" + proxy + "' cannot be dialed; give a proxy's host:port");
    }
    Optional<AgentConfig.Join> join = join(agent.object("join"));
    Optional<Path> dataDir = agent.value("data_dir", ValueParser.nonBlank()).map(Path::of);
    AgentConfig.Relay relay = relay(agent.object("relay"));
    AgentConfig.Metrics metrics =
        new AgentConfig.Metrics(agent.object("metrics").value("listen", ValueParser.bindAddress()));
    Duration shutdown =
        agent.value("shutdown_timeout", ValueParser.positiveDuration(), Duration.ofSeconds(5));
    Optional<String> zone = agent.value("zone", ZoneName::check);
    Duration drain = agent.value("drain_timeout", AgentConfigReader::drainTimeout, DRAIN_TIMEOUT);
    return new AgentConfig.Settings(
        id, proxy, join, dataDir, relay, metrics, shutdown, zone, drain);
  }

  private static Optional<AgentConfig.Join> join(ConfigNode node) {
    if (!node.isPresent()) {
      return Optional.empty();
    }
    Optional<String> inline = node.value("token", ValueParser.nonBlank());
    Optional<Path> file = node.value("token_file", ValueParser.nonBlank()).map(Path::of);
    Optional<String> pinText = node.value("ca_pin", ValueParser.nonBlank());
    Optional<Path> pinFile = node.value("ca_pin_file", ValueParser.nonBlank()).map(Path::of);
    if (pinText.isPresent() == pinFile.isPresent()) {
      node.problem("ca_pin", "give exactly one of ca_pin and ca_pin_file");
      return Optional.empty();
    }
    if (pinText.isPresent()) {
      try {
        CaPin.parse(pinText.get().strip());
      } catch (PkiException e) {
        node.problem("ca_pin", e.getMessage());
        return Optional.empty();
      }
    }
    if (inline.isPresent() == file.isPresent()) {
      node.problem("token_file", "give exactly one of token_file and token");
      return Optional.empty();
    }
    return Optional.of(
        new AgentConfig.Join(
            inline, file, pinText.map(p -> CaPin.parse(p.strip()).toString()), pinFile));
  }

  private static AgentConfig.Relay relay(ConfigNode node) {
    AgentConfig.Relay d = AgentConfig.Relay.DEFAULT;
    return new AgentConfig.Relay(
        node.value("connect_timeout", ValueParser.positiveDuration(), d.connectTimeout()),
        node.value("response_timeout", ValueParser.positiveDuration(), d.responseTimeout()),
        (int) node.integer("pool_size", d.poolSize(), 1, 10_000));
  }

  private static AgentConfig.Service service(ConfigNode root, Section section) {
    ConfigNode node = root.object(section.key());
    boolean enabled = node.bool("enabled", node.isPresent());
    HealthCheck serviceCheck = healthCheck(node, HealthCheck.DEFAULT);
    List<AgentConfig.StaticResource> statics = new ArrayList<>();
    Map<String, String> firstPathByName = new HashMap<>();
    for (ConfigNode item : node.objects(section.listKey())) {
      Optional<String> name = item.required("name", ResourceRules::checkName);
      Optional<String> uri =
          item.required("uri", text -> ResourceRules.checkUri(section.kind(), text));
      Optional<String> protocol =
          ResourceRules.hasProtocol(section.kind())
              ? item.value("protocol", ResourceRules::checkProtocol)
              : Optional.empty();
      Map<String, String> labels = item.stringMap("labels");
      checkLabels(item, labels);
      if (name.isPresent()) {
        String earlier = firstPathByName.putIfAbsent(name.get(), item.pathOf("name"));
        if (earlier != null) {
          item.problem(
              "name",
              "duplicate name '"
                  + name.get()
                  + "' in "
                  + section.key()
                  + " (first at "
                  + earlier
                  + ")");
        }
      }
      if (name.isPresent() && uri.isPresent()) {
        statics.add(
            new AgentConfig.StaticResource(
                section.kind(),
                name.get(),
                labels,
                uri.get(),
                protocol,
                healthCheck(item, serviceCheck)));
      }
    }
    List<AgentConfig.Watcher> watchers = new ArrayList<>();
    for (ConfigNode watcher : node.objects("resources")) {
      DestinationRules destinations = destinations(watcher);
      HealthCheck check = healthCheck(watcher, serviceCheck);
      if (!watcher.has("labels")) {
        watcher.problem(
            "labels",
            "missing required key (write \"*\": \"*\" to serve every " + section.kind() + ")");
        continue;
      }
      Map<String, String> expressions = watcher.stringMap("labels");
      if (expressions.isEmpty()) {
        watcher.problem(
            "labels",
            "a selector with no labels matches nothing; write \"*\": \"*\" to serve every "
                + section.kind());
        continue;
      }
      try {
        watchers.add(new AgentConfig.Watcher(LabelSelector.of(expressions), destinations, check));
      } catch (IllegalArgumentException e) {
        watcher.problem("labels", e.getMessage());
      }
    }
    return new AgentConfig.Service(section.kind(), enabled, statics, watchers);
  }

  /**
   * The {@code health_check} block of {@code owner} (a service, a resource or a watcher), each key
   * it does not set taken from {@code defaults}; on a problem, {@code defaults}.
   */
  private static HealthCheck healthCheck(ConfigNode owner, HealthCheck defaults) {
    ConfigNode node = owner.object("health_check");
    if (!node.isPresent()) {
      return defaults;
    }
    boolean enabled = node.bool("enabled", defaults.enabled());
    Duration interval = node.value("interval", ValueParser.positiveDuration(), defaults.interval());
    Duration timeout = node.value("timeout", ValueParser.positiveDuration(), defaults.timeout());
    int healthy =
        (int) node.integer("healthy_threshold", defaults.healthyThreshold(), 1, MAX_THRESHOLD);
    int unhealthy =
        (int) node.integer("unhealthy_threshold", defaults.unhealthyThreshold(), 1, MAX_THRESHOLD);
    Optional<String> path = node.value("path", ValueParser.nonBlank()).or(defaults::path);
    boolean valid = true;
    if (path.isPresent() && (!path.get().startsWith("/") || path.get().matches(".*\\s.*"))) {
      node.problem("path", "'" + path.get() + "' must start with / and hold no spaces");
      valid = false;
    }
    OptionalInt status = defaults.expectedStatus();
    if (node.has("expected_status")) {
      long n = node.integer("expected_status", 0, 100, 599);
      valid &= n != 0;
      status = OptionalInt.of((int) n);
    }
    if (timeout.compareTo(interval) > 0) {
      node.problem(
          "timeout",
          "must not exceed the interval ("
              + timeout.toMillis()
              + " ms > "
              + interval.toMillis()
              + " ms)");
      valid = false;
    }
    if (!valid) {
      return defaults;
    }
    return new HealthCheck(enabled, interval, timeout, healthy, unhealthy, path, status);
  }

  /** A watcher's {@code destinations}: each entry parsed, each bad one named by its index. */
  private static DestinationRules destinations(ConfigNode watcher) {
    if (!watcher.has("destinations")) {
      return DestinationRules.anyAddress(watcher.path());
    }
    List<String> texts = watcher.strings("destinations");
    if (texts.isEmpty()) {
      watcher.problem(
          "destinations",
          "an empty list allows no destination; list CIDRs, host names, *.suffix or :port, or"
              + " remove the key to allow any address but loopback, link-local, unspecified and"
              + " the proxies'");
    }
    List<Destination> entries = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      try {
        entries.add(Destination.parse(texts.get(i)));
      } catch (IllegalArgumentException e) {
        watcher.problem("destinations[" + i + "]", e.getMessage());
      }
    }
    return DestinationRules.of(watcher.path(), entries);
  }

  private static void checkLabels(ConfigNode item, Map<String, String> labels) {
    try {
      ResourceRules.checkLabels(labels);
    } catch (IllegalArgumentException e) {
      item.problem("labels", e.getMessage());
    }
  }
}
