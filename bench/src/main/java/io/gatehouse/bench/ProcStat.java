package io.gatehouse.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What Linux's {@code /proc/<pid>/status} and {@code /proc/<pid>/stat} say about a process. */
final class ProcStat {
  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  private ProcStat() {}

  /** A {@code kB} field of {@code /proc/<pid>/status} (e.g. {@code VmRSS}), in bytes. */
  static long field(long pid, String name) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(name + ":")) {
        return Long.parseLong(line.substring(name.length() + 1).replace("kB", "").strip()) * 1024;
      }
    }
    throw new IOException("no " + name + " in /proc/" + pid + "/status");
  }

  /** User plus system CPU seconds the process has used. */
  static double cpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // Fields after the command name (which may contain spaces) start after the last ')'.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
  }
}
