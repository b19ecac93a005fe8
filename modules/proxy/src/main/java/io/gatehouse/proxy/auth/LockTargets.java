package io.gatehouse.proxy.auth;

import io.gatehouse.config.NodeId;
import io.gatehouse.proxy.lock.Locks;

/**
 * What an operator or the API may lock: {@code agent/<id>} (an agent id) or {@code user/<name>} (a
 * user name). A credential's lock ({@code credential/<id>}) is written by a logout only. One rule
 * for {@code gatehouse lock -c} and {@code /v1/locks}.
 */
public final class LockTargets {
  private LockTargets() {}

  /**
   * Returns {@code target} if it names an agent or a user.
   *
   * @throws IllegalArgumentException with the target and the rule it breaks
   */
  public static String check(String target) {
    boolean agent = target != null && target.startsWith(Locks.AGENT);
    if (!agent && (target == null || !target.startsWith(Locks.USER))) {
      throw new IllegalArgumentException(
          "'" + target + "': lock an agent as agent/ID or a user as user/NAME");
    }
    try {
      if (agent) {
        NodeId.check("agent", target.substring(Locks.AGENT.length()));
      } else {
        UserNames.check(target.substring(Locks.USER.length()));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + target + "': " + e.getMessage(), e);
    }
    return target;
  }
}
