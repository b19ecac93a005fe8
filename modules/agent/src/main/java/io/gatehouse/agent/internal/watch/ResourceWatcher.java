package io.gatehouse.agent.internal.watch;

import io.gatehouse.agent.internal.catalog.ResourceCatalog;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.state.Materializer;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.TableView;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Follows {@code gatehouse.resources} into the agent's own state store (a {@link Materializer} over
 * that one topic) and feeds every definition to the {@link ResourceCatalog}.
 *
 * <p>The catalog is a projection of the stored table through a {@link TableView}: the table is
 * applied first, then every change, with none missed; a definition deleted while the table loads is
 * not brought back, and a damaged one is counted and skipped.
 */
public final class ResourceWatcher implements AutoCloseable {
  private final StateStore store;
  private final Materializer materializer;
  private final ResourceCatalog catalog;
  private volatile TableView<ResourceDefinition> view;

  public ResourceWatcher(
      Path directory,
      KafkaSettings kafka,
      TopicNames names,
      ResourceCatalog catalog,
      Clock clock,
      MeterRegistry registry) {
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
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** Applies the stored table, then follows the topic. */
  public void start() {
    view =
        TableView.open(
            store,
            Topic.RESOURCES,
            materializer.changes(),
            (key, value) -> EventCodec.RESOURCE_DEFINITION.decode(value),
            TableView.Listener.of(catalog::define, key -> catalog.define(key, null)));
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
    TableView<ResourceDefinition> following = view;
    if (following != null) {
      following.close();
    }
    try {
      materializer.close();
    } finally {
      store.close();
    }
  }
}
