package io.gatehouse.events.codec;

import io.gatehouse.events.EventException;

/** A value could not be decoded as the event its topic carries (a "poison pill"). */
public class EventDecodeException extends EventException {
  private static final long serialVersionUID = 1L;

  public EventDecodeException(String message, Throwable cause) {
    super(message, cause);
  }

  public EventDecodeException(String message) {
    super(message);
  }
}
