package io.gatehouse.cli;

/** A failure with a one-line message for the user and the exit code it maps to. */
public class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public static CliException user(String message) {
    return new CliException(ExitCodes.USER_ERROR, message);
  }

  public static CliException unreachable(String message, Throwable cause) {
    return new CliException(ExitCodes.UNREACHABLE, message, cause);
  }

  public int exitCode() {
    return exitCode;
  }
}
