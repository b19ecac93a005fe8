package io.gatehouse.agent.internal.catalog;

import io.gatehouse.agent.AgentConfig;
import io.gatehouse.agent.DestinationRefusal;
import io.gatehouse.agent.DestinationRules;
import io.gatehouse.agent.HealthCheck;
import io.gatehouse.agent.ServedResource;
import io.gatehouse.agent.ServedResource.Origin;
import io.gatehouse.agent.internal.destination.DestinationGuard;
import io.gatehouse.agent.internal.destination.ProxyDirectory;
import io.gatehouse.agent.internal.destination.RefusedDefinitions;
import io.gatehouse.agent.internal.relay.Upstream;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.resource.LabelSelector;
import io.gatehouse.events.resource.ResourceRules;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The set of resources an agent serves, computed from its static resources and the dynamic
 * definitions its selectors match and whose destination its watchers allow. A static resource wins
 * over a dynamic one of the same {@code kind/name}; a resource of a disabled service is never
 * served.
 *
 * <p>Every change of the served set is reported to the {@link Listener} in the order it happened,
 * and only real changes: re-applying a definition that serves the same thing reports nothing, so
 * feeding the catalog the same state twice is harmless. Writers are serialized; {@link #lookup} is
 * lock-free (the relay calls it for every session).
 */
public final class ResourceCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(ResourceCatalog.class);

  /** Receives changes of the served set; called under the catalog's lock, so it must not block. */
  public interface Listener {
    /** {@code resource} is now served: new, or changed (labels, upstream or origin). */
    void served(ServedResource resource);

    /** {@code resource} is no longer served. */
    void stopped(ServedResource resource);
  }

  private final String agentId;
  private final Map<String, Served> statics;
  private final Map<ResourceKind, List<AgentConfig.Watcher>> watchers =
      new EnumMap<>(ResourceKind.class);
  private final ProxyDirectory proxies;
  private final RefusedDefinitions refused;
  private final Map<String, Served> candidates = new HashMap<>();
  private final Set<String> warned = new HashSet<>();
  private Listener listener;
  private volatile Map<String, Served> served = Map.of();
  private boolean opened;

  /**
   * A catalog of {@code config}'s resources; a dynamic one is served only where its watchers allow
   * it to point, judged against the proxies known to {@code proxies}, and reported to {@code
   * refused} otherwise.
   */
  public ResourceCatalog(
      String agentId, AgentConfig config, ProxyDirectory proxies, RefusedDefinitions refused) {
    this.agentId = agentId;
    this.proxies = Objects.requireNonNull(proxies, "proxies");
    this.refused = Objects.requireNonNull(refused, "refused");
    Map<String, Served> s = new LinkedHashMap<>();
    for (AgentConfig.Service service : config.services()) {
      if (!service.enabled()) {
        continue;
      }
      watchers.put(service.kind(), service.watchers());
      for (AgentConfig.StaticResource r : service.statics()) {
        ServedResource resource =
            new ServedResource(
                r.kind(), r.name(), r.labels(), r.uri(), r.protocol(), Origin.STATIC);
        s.put(
            resource.key(), new Served(resource, Upstream.of(r.kind(), r.uri()), r.healthCheck()));
      }
    }
    this.statics = Collections.unmodifiableMap(s);
  }

  /**
   * Starts serving: the static resources and the dynamic ones defined so far are reported to {@code
   * listener}, and so is every later change. Definitions applied before are kept.
   */
  public synchronized void open(Listener listener) {
    if (opened) {
      throw new IllegalStateException("catalog of agent " + agentId + " is already open");
    }
    this.listener = Objects.requireNonNull(listener, "listener");
    opened = true;
    Set<String> keys = new java.util.LinkedHashSet<>(statics.keySet());
    keys.addAll(candidates.keySet());
    keys.forEach(this::recompute);
  }

  /** True when some enabled service has a selector, i.e. the agent needs to watch resources. */
  public boolean watchesResources() {
    return watchers.values().stream().anyMatch(l -> !l.isEmpty());
  }

  /**
   * Applies the current definition of {@code key} on {@code gatehouse.resources}: {@code null} when
   * it was deleted.
   */
  public synchronized void define(String key, ResourceDefinition definition) {
    Served candidate = definition == null ? null : candidate(key, definition);
    if (candidate == null) {
      candidates.remove(key);
    } else {
      candidates.put(key, candidate);
    }
    if (opened) {
      recompute(key);
    }
  }

  /** The served resource of {@code kind/name}, if any. Lock-free. */
  public Optional<Served> lookup(String key) {
    return Optional.ofNullable(served.get(key));
  }

  /** A snapshot of the served resources, sorted by key. */
  public List<ServedResource> served() {
    List<ServedResource> out = new ArrayList<>();
    served.values().forEach(s -> out.add(s.resource()));
    out.sort(Comparator.comparing(ServedResource::key));
    return out;
  }

  /** The number of served resources. */
  public int size() {
    return served.size();
  }

  private Served candidate(String key, ResourceDefinition d) {
    Optional<ResourceKind> kind = ResourceKind.parse(d.getKind());
    if (kind.isEmpty()) {
      warnOnce(key, "has unknown kind '" + d.getKind() + "'");
      return null;
    }
    Map<String, String> labels = d.getLabels() == null ? Map.of() : d.getLabels();
    List<DestinationRules> allowing = new ArrayList<>();
    HealthCheck check = null;
    for (AgentConfig.Watcher watcher : watchers.getOrDefault(kind.get(), List.of())) {
      LabelSelector selector = watcher.labels();
      if (selector.matches(labels)) {
        allowing.add(watcher.destinations());
        // The first watcher that matches says how it is checked, as a list is read top down.
        check = check == null ? watcher.healthCheck() : check;
      }
    }
    if (allowing.isEmpty()) {
      return null;
    }
    if (!ResourceRules.isName(d.getName())
        || !key.equals(Keys.resource(kind.get().word(), d.getName()))) {
      warnOnce(
          key, "is ignored: its name '" + d.getName() + "' is invalid or does not match its key");
      return null;
    }
    String uri = d.getSpec() == null ? null : d.getSpec().getUri();
    Upstream upstream;
    try {
      upstream = Upstream.of(kind.get(), uri);
    } catch (IllegalArgumentException e) {
      warnOnce(key + " " + uri, "matches a selector but cannot be served: " + e.getMessage());
      return null;
    }
    DestinationGuard guard = new DestinationGuard(allowing);
    Optional<DestinationRefusal> refusal =
        guard.refusal(upstream.host(), upstream.port(), List.of(), proxies.known());
    if (refusal.isPresent()) {
      refused.refused(key, uri, refusal.get());
      return null;
    }
    Optional<String> protocol = Optional.ofNullable(d.getSpec().getProtocol());
    ServedResource resource =
        new ServedResource(kind.get(), d.getName(), labels, uri, protocol, Origin.DYNAMIC);
    return new Served(resource, upstream, Optional.of(guard), check);
  }

  private void recompute(String key) {
    Served stat = statics.get(key);
    Served dyn = candidates.get(key);
    Served next = stat != null ? stat : dyn;
    if (stat != null && dyn != null) {
      warnOnce(
          key + " shadowed",
          "is defined on the resources topic, but agent "
              + agentId
              + " serves its static resource of that name");
    }
    Served previous = served.get(key);
    if (Objects.equals(previous, next)) {
      return;
    }
    Map<String, Served> copy = new HashMap<>(served);
    if (next == null) {
      copy.remove(key);
    } else {
      copy.put(key, next);
    }
    served = Collections.unmodifiableMap(copy);
    if (next == null) {
      LOG.info("agent {} stops serving {}", agentId, key);
      listener.stopped(previous.resource());
    } else {
      LOG.info(
          "agent {} {} {} ({}, {})",
          agentId,
          previous == null ? "serves" : "updates",
          key,
          next.resource().origin().word(),
          next.upstream());
      listener.served(next.resource());
    }
  }

  private void warnOnce(String what, String message) {
    if (warned.add(what)) {
      LOG.warn("resource {} {}", what.split(" ")[0], message);
    }
  }
}
