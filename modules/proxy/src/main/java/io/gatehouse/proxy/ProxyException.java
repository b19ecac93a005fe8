package io.gatehouse.proxy;

/**
 * Root of every failure the proxy module raises. Messages name the thing that failed (the proxy,
 * the resource, the agent, the topic); Kafka's, RocksDB's and Vert.x's own exceptions never cross
 * the module's API except as a cause.
 */
public class ProxyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ProxyException(String message) {
    super(message);
  }

  public ProxyException(String message, Throwable cause) {
    super(message, cause);
  }
}
