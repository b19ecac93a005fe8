package io.gatehouse.broker;

/**
 * The one exception the broker module throws when the embedded broker cannot do what was asked:
 * format its data directory, start, become ready or shut down. The message names the broker (its
 * bootstrap address or data directory) and the step that failed; Kafka's own exception, when there
 * is one, is the cause.
 */
public class EmbeddedKafkaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed, naming the broker
   */
  public EmbeddedKafkaException(String message) {
    super(message);
  }

  /**
   * @param message what failed, naming the broker
   * @param cause the underlying failure, usually one of Kafka's exceptions
   */
  public EmbeddedKafkaException(String message, Throwable cause) {
    super(message, cause);
  }
}
