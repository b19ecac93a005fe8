package io.gatehouse.proxy.api;

import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.publish.EventPublisher;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;

/** An API write: answered once Kafka acknowledged it, or refused with 503 after a deadline. */
final class KafkaWrite {
  static final long TIMEOUT_SECONDS = 10;

  private KafkaWrite() {}

  /** Writes {@code value} ({@code null}: a tombstone) under {@code key}; {@code what} names it. */
  static Future<Void> write(
      EventPublisher publisher, Topic topic, String key, SpecificRecord value, String what) {
    return Future.fromCompletionStage(publisher.publish(topic, key, value))
        .timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .recover(
            e ->
                Future.failedFuture(
                    new Refusal(
                        ErrorCode.KAFKA_UNAVAILABLE,
                        "Kafka did not acknowledge the write of "
                            + what
                            + " within "
                            + TIMEOUT_SECONDS
                            + " s; it may still be applied: "
                            + e.getMessage())));
  }
}
