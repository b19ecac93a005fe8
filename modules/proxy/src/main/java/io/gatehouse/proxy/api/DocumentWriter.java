package io.gatehouse.proxy.api;

import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.listener.ClientAddress;
import io.gatehouse.proxy.publish.EventPublisher;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.state.StateChange;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The API's writes of documents (resources, users, roles, locks). Each is answered once Kafka
 * acknowledged it and this proxy's own state shows it (read your writes: a create followed by a
 * read or a second create through the same proxy sees the first), or refused with 503 when Kafka
 * does not answer in time. Writes of one key go one after the other ({@link #serialized}), so two
 * concurrent creates through one proxy cannot both pass the check that the name is free.
 */
final class DocumentWriter {
  static final long TIMEOUT_SECONDS = 10;

  /** How long an acknowledged write may take to come back through the materializer. */
  private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(5);

  private final EventPublisher publisher;
  private final Flux<StateChange> changes;
  private final Map<String, Future<?>> tails = new ConcurrentHashMap<>();

  DocumentWriter(EventPublisher publisher, Flux<StateChange> changes) {
    this.publisher = publisher;
    this.changes = changes;
  }

  /**
   * Runs {@code work} for {@code topic}'s {@code key} after every earlier work for it has finished
   * (successfully or not).
   */
  synchronized <T> Future<T> serialized(Topic topic, String key, Supplier<Future<T>> work) {
    String slot = topic.suffix() + "/" + key;
    Future<?> before = tails.getOrDefault(slot, Future.succeededFuture());
    Future<T> mine =
        before.transform(
            ar -> {
              try {
                return work.get();
              } catch (RuntimeException e) {
                return Future.failedFuture(e);
              }
            });
    tails.put(slot, mine);
    mine.onComplete(ar -> tails.remove(slot, mine));
    return mine;
  }

  /** Writes {@code value} ({@code null}: a tombstone) under {@code key}; {@code what} names it. */
  Future<Void> write(Topic topic, String key, SpecificRecord value, String what) {
    Promise<Void> seen = Promise.promise();
    // Subscribed before the write, so the change cannot slip past unseen.
    Disposable watch =
        changes
            .filter(
                c ->
                    c.topic() == topic
                        && c.key().equals(key)
                        && (value == null ? c.isDelete() : Objects.equals(c.value(), value)))
            .next()
            .subscribe(c -> seen.tryComplete(), e -> seen.tryComplete());
    return Future.fromCompletionStage(publisher.publish(topic, key, value))
        .timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .recover(
            e -> {
              watch.dispose();
              return Future.failedFuture(
                  new Refusal(
                      ErrorCode.KAFKA_UNAVAILABLE,
                      "Kafka did not acknowledge the write of "
                          + what
                          + " within "
                          + TIMEOUT_SECONDS
                          + " s; it may still be applied: "
                          + e.getMessage()));
            })
        .compose(
            acked ->
                seen.future()
                    .timeout(VISIBLE_WITHIN.toMillis(), TimeUnit.MILLISECONDS)
                    // Written all the same: answered, only not yet readable here.
                    .otherwiseEmpty()
                    .onComplete(ar -> watch.dispose())
                    .mapEmpty());
  }

  /**
   * Completes once {@code condition} holds of this proxy's state, checked now and after each change
   * of {@code topic}; for writes that go through another writer (join tokens). Completes all the
   * same after {@link #VISIBLE_WITHIN}: written, only not yet readable here.
   */
  Future<Void> visible(Topic topic, BooleanSupplier condition) {
    Promise<Void> seen = Promise.promise();
    // Subscribed before the first check, so the change cannot slip past unseen.
    Disposable watch =
        changes
            .filter(c -> c.topic() == topic && condition.getAsBoolean())
            .next()
            .subscribe(c -> seen.tryComplete(), e -> seen.tryComplete());
    if (condition.getAsBoolean()) {
      seen.tryComplete();
    }
    return seen.future()
        .timeout(VISIBLE_WITHIN.toMillis(), TimeUnit.MILLISECONDS)
        .otherwiseEmpty()
        .onComplete(ar -> watch.dispose())
        .mapEmpty();
  }

  /**
   * Deletes the account document {@code subject} ({@code user/<name>} or {@code role/<name>}) on
   * {@code topic} for the API call in {@code ctx}: a tombstone, audited as {@code auditType} with
   * {@code before}, answered 204.
   */
  void deleteAccount(
      io.vertx.ext.web.RoutingContext ctx,
      Topic topic,
      String subject,
      String before,
      io.gatehouse.proxy.audit.AuditLog audit,
      String auditType) {
    String name = subject.substring(subject.indexOf('/') + 1);
    String by = io.gatehouse.proxy.auth.ApiGuard.principal(ctx).user();
    String remote = ClientAddress.of(ctx.request());
    serialized(topic, name, () -> write(topic, name, null, subject.replace('/', ' ')))
        .onSuccess(
            v -> {
              audit.accountChanged(auditType, subject, by, before, null, remote);
              ctx.response().setStatusCode(204).end();
            })
        .onFailure(ctx::fail);
  }
}
