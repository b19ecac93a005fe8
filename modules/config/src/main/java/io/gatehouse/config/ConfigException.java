package io.gatehouse.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration could not be read or is invalid. The message lists every problem found, one per
 * line, as {@code file: key.path: reason}; {@link #problems()} gives them as values. Root of every
 * failure raised by this module.
 */
public class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  public ConfigException(ConfigProblem problem, Throwable cause) {
    super(problem.toString(), cause);
    this.problems = List.of(problem);
  }

  /** Every problem found, in document order as far as the reader could tell. */
  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String render(List<ConfigProblem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    return problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
  }
}
