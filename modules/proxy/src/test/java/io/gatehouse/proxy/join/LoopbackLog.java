package io.gatehouse.proxy.join;

import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.Keys;
import io.gatehouse.events.TokenEvent;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.lifecycle.Closer;
import io.gatehouse.proxy.publish.EventPublisher;
import io.gatehouse.state.StateBatch;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.avro.specific.SpecificRecord;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * One {@code tokens} partition without a broker: every write goes to one log, applied by one thread
 * to the real state store of each member in the same order and then published on the member's
 * changes, as each proxy's materializer would. Audit events are kept in order. Closes the stores.
 */
final class LoopbackLog implements AutoCloseable {
  /** One proxy's state: its store and the changes its materializer would publish. */
  record Member(StateStore store, Sinks.Many<StateChange> changes) {
    Flux<StateChange> flux() {
      return changes.asFlux();
    }
  }

  final List<AuditEvent> audit = new CopyOnWriteArrayList<>();

  /** Every value written to the tokens topic, as bytes, in order (null for a tombstone). */
  final List<byte[]> tokenValues = new CopyOnWriteArrayList<>();

  private final List<Member> members = new ArrayList<>();
  private final ExecutorService log =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "loopback-log"));
  private final Closer closer = new Closer();
  private long offset;

  Member member(Path dir) {
    StateStore store = closer.register(StateStore.open(dir, List.of(Topic.TOKENS.suffix())));
    Member m = new Member(store, Sinks.many().multicast().directBestEffort());
    synchronized (members) {
      members.add(m);
    }
    return m;
  }

  EventPublisher publisher() {
    return new EventPublisher() {
      @Override
      public CompletionStage<Void> publish(Topic topic, String key, SpecificRecord value) {
        if (topic == Topic.AUDIT) {
          audit.add((AuditEvent) value);
          return CompletableFuture.completedFuture(null);
        }
        byte[] bytes = value == null ? null : EventCodec.TOKEN_EVENT.encode((TokenEvent) value);
        return CompletableFuture.runAsync(() -> append(topic, key, bytes), log);
      }

      @Override
      public CompletionStage<Void> publish(
          Topic topic, String key, String partitionKey, SpecificRecord value) {
        return publish(topic, key, value);
      }

      @Override
      public void close() {}
    };
  }

  private void append(Topic topic, String key, byte[] bytes) {
    tokenValues.add(bytes);
    long at = offset++;
    List<Member> now;
    synchronized (members) {
      now = List.copyOf(members);
    }
    for (Member m : now) {
      try (StateBatch b = m.store().batch()) {
        if (bytes == null) {
          b.delete(topic.suffix(), Keys.bytes(key));
        } else {
          b.put(topic.suffix(), Keys.bytes(key), bytes);
        }
        m.store().write(b);
      }
      m.changes().tryEmitNext(new StateChange(topic, key, bytes, 0, at));
    }
  }

  /** Waits for every write so far to be applied. */
  void settle() {
    CompletableFuture.runAsync(() -> {}, log).join();
  }

  @Override
  public void close() {
    log.shutdownNow();
    closer.close(e -> new IllegalStateException("closing the loopback log failed", e));
  }
}
