package io.gatehouse.events.topic;

import io.gatehouse.events.EventException;

/** A topic exists but breaks the contract, or the cluster could not be asked about it. */
public class TopicContractException extends EventException {
  private static final long serialVersionUID = 1L;

  public TopicContractException(String message) {
    super(message);
  }

  public TopicContractException(String message, Throwable cause) {
    super(message, cause);
  }
}
