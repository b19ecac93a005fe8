package io.gatehouse.cli.commands;

import io.gatehouse.cli.CliException;
import io.gatehouse.events.ResourceKind;

/**
 * A {@code KIND} or {@code KIND/NAME} argument, parsed once with the CLI's error messages.
 *
 * @param name the resource name, or {@code null} for a bare kind
 */
record Target(ResourceKind kind, String name) {
  /** Parses {@code KIND/NAME}. */
  static Target resource(String text) {
    return parse(text, "KIND/NAME", true);
  }

  /** Parses {@code KIND} or {@code KIND/NAME}. */
  static Target kindOrResource(String text) {
    return parse(text, "KIND or KIND/NAME", false);
  }

  /** Parses a bare kind, singular or plural. */
  static ResourceKind kind(String text) {
    return ResourceKind.parse(text)
        .orElseThrow(
            () ->
                CliException.user(
                    "unknown kind '"
                        + text
                        + "' (expected app, db, desktop or kube; plurals work too)"));
  }

  /** {@code /v1/resources/kind/name}. */
  String path() {
    return "/v1/resources/" + kind.word() + "/" + name;
  }

  @Override
  public String toString() {
    return name == null ? kind.word() : kind.word() + "/" + name;
  }

  private static Target parse(String text, String expected, boolean nameRequired) {
    String[] parts = text.split("/", -1);
    if (parts.length > 2
        || parts[0].isEmpty()
        || (parts.length == 2 && parts[1].isEmpty())
        || (nameRequired && parts.length < 2)) {
      throw CliException.user("expected " + expected + ", got '" + text + "'");
    }
    return new Target(kind(parts[0]), parts.length == 2 ? parts[1] : null);
  }
}
