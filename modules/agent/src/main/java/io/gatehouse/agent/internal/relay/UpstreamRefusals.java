package io.gatehouse.agent.internal.relay;

/**
 * Told of every session whose upstream refused the agent's connection ({@code upstream-refused}):
 * the health checks count it as a failed check at once rather than waiting for the next one. Called
 * on an event loop; must not block.
 */
@FunctionalInterface
public interface UpstreamRefusals {
  /**
   * @param resource {@code kind/name}
   * @param reason what the dial saw, e.g. {@code Connection refused: /127.0.0.1:5432}
   */
  void refused(String resource, String reason);
}
