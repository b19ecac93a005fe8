package io.gatehouse.proxy.session;

import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.publish.EventPublisher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.specific.SpecificRecord;

/** Keeps what would have gone to Kafka, in order. */
final class RecordingPublisher implements EventPublisher {
  record Sent(Topic topic, String key, SpecificRecord value) {}

  final List<Sent> sent = new CopyOnWriteArrayList<>();

  @Override
  public CompletionStage<Void> publish(Topic topic, String key, SpecificRecord value) {
    sent.add(new Sent(topic, key, value));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> publish(
      Topic topic, String key, String partitionKey, SpecificRecord value) {
    return publish(topic, key, value);
  }

  @Override
  public void close() {}
}
