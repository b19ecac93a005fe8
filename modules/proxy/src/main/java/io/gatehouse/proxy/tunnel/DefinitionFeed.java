package io.gatehouse.proxy.tunnel;

import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.TableView;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.Set;
import java.util.function.Consumer;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The resource definitions an agent's dynamic watchers read, streamed down its control stream so
 * the agent needs no Kafka: once this proxy has caught up with {@code gatehouse.resources}, every
 * stored definition of a kind the agent's certificate allows, a {@code {"synced":true}} line, then
 * every change as it is applied. Values go as they are on the topic (Avro single-object encoding,
 * base64), so the agent decodes them with the contract's schema and nothing is mapped twice.
 *
 * <p>Lines: {@code {"definition":{"key":"kind/name","avro":"…"}}}, {@code {"removed":"kind/name"}},
 * {@code {"synced":true}}. A definition of another kind is never sent: an agent learns only what it
 * may serve.
 */
public final class DefinitionFeed {
  private final StateStore store;
  private final Flux<StateChange> changes;
  private final Mono<Void> caughtUp;

  /**
   * @param caughtUp completes once the proxy has read the topics up to where they ended at start,
   *     so the first snapshot an agent gets is complete and it un-serves nothing by mistake
   */
  public DefinitionFeed(StateStore store, Flux<StateChange> changes, Mono<Void> caughtUp) {
    this.store = store;
    this.changes = changes;
    this.caughtUp = caughtUp;
  }

  /**
   * Starts feeding {@code lines} (each ends with a newline) with the definitions of {@code kinds};
   * dispose the result to stop.
   */
  public Disposable watch(Set<String> kinds, Consumer<String> lines) {
    Watch watch = new Watch(kinds, lines);
    Disposable waiting =
        caughtUp
            .publishOn(Schedulers.boundedElastic())
            .doOnSuccess(v -> watch.open())
            .subscribe(v -> {}, e -> {});
    return () -> {
      waiting.dispose();
      watch.close();
    };
  }

  private final class Watch {
    private final Set<String> kinds;
    private final Consumer<String> lines;
    private volatile boolean closed;
    private volatile TableView<byte[]> view;

    Watch(Set<String> kinds, Consumer<String> lines) {
      this.kinds = kinds;
      this.lines = lines;
    }

    synchronized void open() {
      if (closed) {
        return;
      }
      view =
          TableView.open(
              store,
              Topic.RESOURCES,
              changes,
              (key, value) -> value,
              TableView.Listener.of(this::put, this::remove));
      lines.accept(new JsonObject().put("synced", true).encode() + "\n");
    }

    synchronized void close() {
      closed = true;
      TableView<byte[]> v = view;
      if (v != null) {
        v.close();
      }
    }

    private void put(String key, byte[] value) {
      if (allowed(key)) {
        JsonObject definition =
            new JsonObject().put("key", key).put("avro", Base64.getEncoder().encodeToString(value));
        lines.accept(new JsonObject().put("definition", definition).encode() + "\n");
      }
    }

    private void remove(String key) {
      if (allowed(key)) {
        lines.accept(new JsonObject().put("removed", key).encode() + "\n");
      }
    }

    private boolean allowed(String key) {
      int slash = key.indexOf('/');
      return !closed && slash > 0 && kinds.contains(key.substring(0, slash));
    }
  }
}
