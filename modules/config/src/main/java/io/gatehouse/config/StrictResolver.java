package io.gatehouse.config;

import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Resolves plain scalars by YAML 1.2's core schema instead of snakeyaml's YAML 1.1 default, so
 * {@code env: on}, {@code region: no} and {@code build: 2026-01-01} stay the strings operators
 * wrote rather than turning into booleans and dates. Only {@code true}/{@code false} are booleans.
 */
final class StrictResolver extends Resolver {
  private static final Pattern BOOL12 = Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");
  private static final Pattern INT12 =
      Pattern.compile("^(?:[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+)$");
  private static final Pattern FLOAT12 =
      Pattern.compile(
          "^(?:[-+]?(?:\\.[0-9]+|[0-9]+\\.[0-9]*|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?"
              + "|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");
  private static final Pattern NULL12 = Pattern.compile("^(?:~|null|Null|NULL)$");

  @Override
  protected void addImplicitResolvers() {
    addImplicitResolver(Tag.BOOL, BOOL12, "tTfF", 10);
    addImplicitResolver(Tag.INT, INT12, "-+0123456789", 10);
    addImplicitResolver(Tag.FLOAT, FLOAT12, "-+0123456789.", 10);
    addImplicitResolver(Tag.MERGE, MERGE, "<", 10);
    addImplicitResolver(Tag.NULL, NULL12, "~nN", 10);
    addImplicitResolver(Tag.NULL, EMPTY, null, 10);
  }
}
