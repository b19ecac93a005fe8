package io.gatehouse.agent.internal.watch;

import io.gatehouse.agent.internal.catalog.ResourceCatalog;
import io.gatehouse.agent.internal.heartbeat.HeartbeatPublisher;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.relay.tunnel.TunnelStream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link ResourceCatalog} with the resource definitions a proxy streams down the primary
 * control stream (the proxy's {@code DefinitionFeed}): the agent reads {@code gatehouse.resources}
 * without being a Kafka client. On each new primary it asks with {@code {"watch":true}} and gets
 * every definition of the kinds its certificate allows, then {@code {"synced":true}}, then every
 * change. At the sync, what was defined before but not sent again is deleted, so a definition
 * removed while the agent was switching proxies is not served on. A value that does not decode is
 * counted and skipped. Lines from a stream that is no longer primary are ignored.
 */
public final class ResourceWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(ResourceWatcher.class);

  private final ResourceCatalog catalog;
  private final HeartbeatPublisher publisher;
  private final Counter damaged;
  private final Object lock = new Object();

  /** Keys the catalog holds a definition of. Guarded by {@code lock}. */
  private final Set<String> defined = new HashSet<>();

  /** Keys sent since the current primary was asked, until it syncs. Guarded by {@code lock}. */
  private Set<String> resent;

  private TunnelStream primary;
  private volatile boolean synced;

  public ResourceWatcher(
      ResourceCatalog catalog, HeartbeatPublisher publisher, MeterRegistry registry) {
    this.catalog = catalog;
    this.publisher = publisher;
    this.damaged =
        Counter.builder("gatehouse.agent.definitions.damaged")
            .description("Resource definitions from a proxy that could not be decoded; skipped")
            .register(registry);
    publisher.onPrimary(this::primary);
  }

  /** True once a proxy has sent every definition it had (the first sync). */
  public boolean isCaughtUp() {
    return synced;
  }

  private void primary(TunnelStream stream) {
    synchronized (lock) {
      primary = stream;
      resent = new HashSet<>();
    }
    if (stream != null) {
      publisher.send(stream, new JsonObject().put("watch", true));
    }
  }

  /** A line from the control stream {@code stream}; those that are not about definitions pass. */
  public void line(TunnelStream stream, JsonObject message) {
    synchronized (lock) {
      if (stream != primary) {
        return;
      }
      if (message.getValue("definition") instanceof JsonObject d) {
        define(d.getString("key"), d.getString("avro"));
      } else if (message.getValue("removed") instanceof String key) {
        defined.remove(key);
        if (resent != null) {
          resent.remove(key);
        }
        catalog.define(key, null);
      } else if (Boolean.TRUE.equals(message.getValue("synced"))) {
        sync();
      }
    }
  }

  private void define(String key, String avro) {
    if (key == null || avro == null) {
      damaged.increment();
      return;
    }
    ResourceDefinition definition;
    try {
      definition = EventCodec.RESOURCE_DEFINITION.decode(Base64.getDecoder().decode(avro));
    } catch (RuntimeException e) {
      damaged.increment();
      LOG.warn(
          "resource definition {} from the proxy does not decode; skipped: {}", key, e.toString());
      return;
    }
    defined.add(key);
    if (resent != null) {
      resent.add(key);
    }
    catalog.define(key, definition);
  }

  private void sync() {
    if (resent == null) {
      return;
    }
    for (String key : Set.copyOf(defined)) {
      if (!resent.contains(key)) {
        defined.remove(key);
        catalog.define(key, null);
      }
    }
    resent = null;
    synced = true;
  }
}
