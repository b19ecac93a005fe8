package io.gatehouse.agent.internal.watch;

import io.gatehouse.agent.internal.catalog.ResourceCatalog;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.state.Materializer;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.TypedStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.BaseSubscriber;

/**
 * Follows {@code gatehouse.resources} into the agent's own state store (a {@link Materializer} over
 * that one topic) and feeds every definition to the {@link ResourceCatalog}.
 *
 * <p>It subscribes to the materializer's changes before reading the stored table and holds them
 * until the table has been applied, so no change is missed; and for every change it applies the
 * key's current value in the store rather than the value carried by the change, so a change seen
 * twice, or after the table read, can never roll the catalog back.
 */
public final class ResourceWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ResourceWatcher.class);

  private final StateStore store;
  private final Materializer materializer;
  private final TypedStore<ResourceDefinition> table;
  private final ResourceCatalog catalog;
  private final String agentId;
  private final Changes changes = new Changes();

  public ResourceWatcher(
      String agentId,
      Path directory,
      KafkaSettings kafka,
      TopicNames names,
      ResourceCatalog catalog,
      Clock clock,
      MeterRegistry registry) {
    this.agentId = agentId;
    this.catalog = catalog;
    this.store = StateStore.open(directory, List.of(Topic.RESOURCES.suffix()));
    try {
      this.materializer =
          Materializer.builder(store, kafka)
              .topicNames(names)
              .topics(List.of(Topic.RESOURCES))
              .clock(clock)
              // Proxies set poison pills aside; a fleet of agents copying each one would not help.
              .deadLetters(false)
              .meterRegistry(registry)
              .build();
      this.table =
          new TypedStore<>(store.table(Topic.RESOURCES.suffix()), EventCodec.RESOURCE_DEFINITION);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** Applies the stored table, then follows the topic. */
  public void start() {
    materializer.changes().onBackpressureBuffer().subscribe(changes);
    for (TypedStore.Entry<ResourceDefinition> e : table.all()) {
      catalog.define(e.key(), e.value());
    }
    changes.request(Long.MAX_VALUE);
    materializer.start();
  }

  /** True once the watcher has read the topic up to where it ended when the watcher started. */
  public boolean isCaughtUp() {
    return materializer.isCaughtUp();
  }

  /**
   * Stops following (the materializer's thread and consumer), then closes the store. Idempotent.
   */
  @Override
  public void close() {
    changes.dispose();
    try {
      materializer.close();
    } finally {
      store.close();
    }
  }

  private final class Changes extends BaseSubscriber<StateChange> {
    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      // No demand until the stored table has been applied; the buffer keeps what arrives meanwhile.
    }

    @Override
    protected void hookOnNext(StateChange change) {
      if (change.topic() != Topic.RESOURCES) {
        return;
      }
      try {
        catalog.define(change.key(), table.get(change.key()).orElse(null));
      } catch (RuntimeException e) {
        LOG.warn("agent {}: cannot apply resource {}: {}", agentId, change.key(), e.toString(), e);
      }
    }

    @Override
    protected void hookOnError(Throwable error) {
      LOG.error("agent {}: stopped following resources: {}", agentId, error.toString(), error);
    }
  }
}
