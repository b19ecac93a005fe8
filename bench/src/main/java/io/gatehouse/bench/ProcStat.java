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

  /**
   * Fails with a message that says what to raise when a process may not hold {@code sockets}
   * sockets (and 2,048 more files: the JVM's jars, Kafka's and RocksDB's files). The JVM raises its
   * soft limit to the hard one at start, so the hard limit, which children inherit, is what counts.
   *
   * @param who the processes that hold them, for the message
   */
  static void requireOpenFiles(long sockets, String who) {
    long hard;
    try {
      hard =
          Files.readAllLines(Path.of("/proc/self/limits")).stream()
              .filter(l -> l.startsWith("Max open files"))
              .map(l -> l.replace("Max open files", "").strip().split("\\s+")[1])
              .map(v -> v.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(v))
              .findFirst()
              .orElse(Long.MAX_VALUE);
    } catch (IOException e) {
      return; // not Linux: the dials will say so if the limit is too low
    }
    long needed = sockets + 2_048L;
    if (hard < needed) {
      throw new IllegalArgumentException(
          who
              + " would hold "
              + sockets
              + " sockets and needs "
              + needed
              + " open files; the hard limit (ulimit -Hn) is "
              + hard
              + ": raise it (ulimit -Hn, /etc/security/limits.conf or the container's nofile)"
              + " or use fewer agents");
    }
  }
}
