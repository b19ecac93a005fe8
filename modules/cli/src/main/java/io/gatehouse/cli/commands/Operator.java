package io.gatehouse.cli.commands;

import java.net.InetAddress;

/** Who runs an operator command, as audit events and records name them: {@code user@host}. */
final class Operator {
  private Operator() {}

  static String who() {
    return System.getProperty("user.name", "unknown") + "@" + host();
  }

  /** This machine's host name, or {@code localhost} when it has none that resolves. */
  static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }
}
