package io.gatehouse.events;

/** Root of every failure raised by the events module; messages name the record, schema or topic. */
public class EventException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EventException(String message) {
    super(message);
  }

  public EventException(String message, Throwable cause) {
    super(message, cause);
  }
}
