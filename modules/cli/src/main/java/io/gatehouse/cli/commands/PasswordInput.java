package io.gatehouse.cli.commands;

import io.gatehouse.cli.CliException;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads a password: the first line of standard input with {@code --password-stdin} (for scripts:
 * nothing in the process list or shell history), else a prompt on the terminal without echo.
 */
final class PasswordInput {
  private PasswordInput() {}

  static char[] read(boolean fromStdin, String prompt) {
    if (fromStdin) {
      try {
        String line =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (line == null || line.isEmpty()) {
          throw CliException.user("--password-stdin: standard input held no password");
        }
        return line.toCharArray();
      } catch (IOException e) {
        throw CliException.user("--password-stdin: cannot read standard input: " + e.getMessage());
      }
    }
    Console console = System.console();
    if (console == null) {
      throw CliException.user("no terminal to ask for the password on: use --password-stdin");
    }
    char[] password = console.readPassword("%s", prompt);
    if (password == null || password.length == 0) {
      throw CliException.user("no password given");
    }
    return password;
  }
}
