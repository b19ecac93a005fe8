package io.gatehouse.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM's live objects by class, from {@code jcmd <pid> GC.class_histogram} (which runs a full GC
 * first). Two histograms taken at different loads give what each unit of load costs by class.
 */
final class ClassHistogram {
  private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

  /** Instances and bytes of one class. */
  record Entry(String className, long instances, long bytes) {}

  private final Map<String, Entry> byClass;

  private ClassHistogram(Map<String, Entry> byClass) {
    this.byClass = byClass;
  }

  /** Takes the histogram of process {@code pid} with the JDK's {@code jcmd}. */
  static ClassHistogram of(long pid) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("jcmd " + pid + " GC.class_histogram failed: " + out);
    }
    Map<String, Entry> rows = new HashMap<>();
    for (String line : out.split("\n")) {
      Matcher m = ROW.matcher(line);
      if (m.find()) {
        String name = m.group(3);
        rows.merge(
            name,
            new Entry(name, Long.parseLong(m.group(1)), Long.parseLong(m.group(2))),
            (a, b) -> new Entry(name, a.instances + b.instances, a.bytes + b.bytes));
      }
    }
    if (rows.isEmpty()) {
      throw new IOException("jcmd " + pid + " GC.class_histogram printed no rows: " + out);
    }
    return new ClassHistogram(rows);
  }

  /** Bytes of every live object. */
  long totalBytes() {
    return byClass.values().stream().mapToLong(Entry::bytes).sum();
  }

  /** What grew from {@code before} to this histogram, the {@code top} largest growths first. */
  List<Entry> growthSince(ClassHistogram before, int top) {
    return byClass.values().stream()
        .map(
            e -> {
              Entry b = before.byClass.get(e.className());
              return b == null
                  ? e
                  : new Entry(e.className(), e.instances() - b.instances(), e.bytes() - b.bytes());
            })
        .sorted(Comparator.comparingLong(Entry::bytes).reversed())
        .limit(top)
        .toList();
  }
}
