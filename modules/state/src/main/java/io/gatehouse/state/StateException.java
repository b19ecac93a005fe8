package io.gatehouse.state;

/** Root of every failure of the state module; messages name the store, table or partition. */
public class StateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StateException(String message) {
    super(message);
  }

  public StateException(String message, Throwable cause) {
    super(message, cause);
  }
}
