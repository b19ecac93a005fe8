package io.gatehouse.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One run of the {@code gatehouse} command through the same picocli entry point a person uses, in
 * this JVM: its exit code and everything it printed to standard output and standard error.
 */
record Invocation(int code, String out, String err) {
  static Invocation run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Invocation(code, out.toString(), err.toString());
  }

  /** {@link #run} with {@code input} as standard input (e.g. for {@code --password-stdin}). */
  static synchronized Invocation runWithInput(String input, String... args) {
    java.io.InputStream before = System.in;
    System.setIn(
        new java.io.ByteArrayInputStream(input.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    try {
      return run(args);
    } finally {
      System.setIn(before);
    }
  }
}
