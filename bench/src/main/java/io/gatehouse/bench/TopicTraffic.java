package io.gatehouse.bench;

import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * What producers wrote to some topics of an embedded broker running in this JVM, as the broker
 * counts it: its {@code kafka.server:type=BrokerTopicMetrics} meters {@code BytesInPerSec} (record
 * batches as produced, compressed, with their headers) and {@code MessagesInPerSec}, per topic.
 * {@link #since} takes the difference from an earlier reading.
 */
final class TopicTraffic {
  private final TopicNames names;
  private final List<Topic> topics;
  private final long at;
  private final Map<Topic, long[]> counts = new EnumMap<>(Topic.class);

  private TopicTraffic(TopicNames names, List<Topic> topics) {
    this.names = names;
    this.topics = topics;
    this.at = System.nanoTime();
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    for (Topic topic : topics) {
      counts.put(
          topic,
          new long[] {
            count(server, "BytesInPerSec", names.of(topic)),
            count(server, "MessagesInPerSec", names.of(topic))
          });
    }
  }

  /** The broker's counts now. */
  static TopicTraffic read(TopicNames names, List<Topic> topics) {
    return new TopicTraffic(names, topics);
  }

  /**
   * Per topic, {@code {"bytes","records","bytesPerSec","recordsPerSec","bytesPerRecord"}} written
   * from {@code earlier} to now, and {@code seconds}.
   */
  JsonObject since(TopicTraffic earlier) {
    double seconds = (at - earlier.at) / 1e9;
    JsonObject out = new JsonObject().put("seconds", seconds);
    for (Topic topic : topics) {
      long bytes = counts.get(topic)[0] - earlier.counts.get(topic)[0];
      long records = counts.get(topic)[1] - earlier.counts.get(topic)[1];
      out.put(
          names.of(topic),
          new JsonObject()
              .put("bytes", bytes)
              .put("records", records)
              .put("bytesPerSec", bytes / seconds)
              .put("recordsPerSec", records / seconds)
              .put("bytesPerRecord", records == 0 ? null : (double) bytes / records));
    }
    return out;
  }

  private static long count(MBeanServer server, String meter, String topic) {
    try {
      ObjectName name =
          new ObjectName("kafka.server:type=BrokerTopicMetrics,name=" + meter + ",topic=" + topic);
      // A topic nothing was produced to yet has no meter.
      return server.isRegistered(name) ? (Long) server.getAttribute(name, "Count") : 0;
    } catch (JMException e) {
      throw new IllegalStateException("cannot read the broker's " + meter + " of " + topic, e);
    }
  }
}
