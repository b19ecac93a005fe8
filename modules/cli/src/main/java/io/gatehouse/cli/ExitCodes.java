package io.gatehouse.cli;

/** The exit codes every command uses. */
public final class ExitCodes {
  public static final int OK = 0;

  /** Bad input, unknown resource, invalid file: the reason is one line on stderr. */
  public static final int USER_ERROR = 1;

  /** The proxy or the broker could not be reached; the message names the address. */
  public static final int UNREACHABLE = 2;

  private ExitCodes() {}
}
