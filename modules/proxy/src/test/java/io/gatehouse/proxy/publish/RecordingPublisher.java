package io.gatehouse.proxy.publish;

import io.gatehouse.events.topic.Topic;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.specific.SpecificRecord;

/** Keeps what would have gone to Kafka, in order: for unit tests of what a component writes. */
public final class RecordingPublisher implements EventPublisher {
  public record Sent(Topic topic, String key, SpecificRecord value) {}

  public final List<Sent> sent = new CopyOnWriteArrayList<>();

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
