package io.gatehouse.agent;

/**
 * Root of every failure raised by the agent module; messages name the agent, the resource or the
 * Kafka cluster concerned. Configuration problems are {@link io.gatehouse.config.ConfigException}s.
 */
public class AgentException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AgentException(String message) {
    super(message);
  }

  public AgentException(String message, Throwable cause) {
    super(message, cause);
  }
}
