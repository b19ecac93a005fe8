package io.gatehouse.events.topic;

import java.util.Optional;

/**
 * Full topic names under one prefix ({@code gatehouse} by default, giving {@code
 * gatehouse.heartbeats}). A different prefix lets several installations, or tests, share a cluster.
 */
public record TopicNames(String prefix) {
  public static final TopicNames DEFAULT = new TopicNames("gatehouse");

  public TopicNames {
    if (prefix == null || prefix.isBlank() || !prefix.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "topic prefix '"
              + prefix
              + "' must be non-empty and use only letters, digits, '.', '_' or '-'");
    }
  }

  public String of(Topic topic) {
    return prefix + "." + topic.suffix();
  }

  /** The contract topic a full name belongs to, if any. */
  public Optional<Topic> topicOf(String name) {
    for (Topic t : Topic.values()) {
      if (of(t).equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
