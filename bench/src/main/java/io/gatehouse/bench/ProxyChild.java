package io.gatehouse.bench;

import io.gatehouse.proxy.Proxy;
import io.gatehouse.proxy.config.ProxyConfig;
import io.micrometer.core.instrument.Counter;
import io.netty.util.internal.PlatformDependent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The proxy under test, alone in its JVM ({@code benchmarks.jar proxy-child <proxy.yaml>}), driven
 * by {@link ProxyProcess}. It reports on stdout, one JSON object per line:
 *
 * <ul>
 *   <li>{@code {"event":"started","port","jvmUptimeMillis","baselineHeapBytes"}} once {@link
 *       Proxy#start} has returned (web port bound); the baseline is the heap in use after a GC,
 *       before the proxy was started, and {@code jvmUptimeMillis} the JVM's age at that moment;
 *   <li>{@code
 *       {"event":"ready","proxyStartToReadyMillis","firstRecordToReadyMillis","appliedRecords"}}
 *       once the proxy is ready ({@link Proxy#isReady}, what {@code /readyz} answers), timed from
 *       just before {@link Proxy#start} and from the first record its materializer applied (0 when
 *       it applied none; sampled every millisecond), with the records applied on the way;
 *   <li>{@code {"event":"heap","heapUsedBytes","heapCommittedBytes"}} for each {@code heap} line on
 *       stdin, measured after two full GCs;
 *   <li>{@code
 *       {"event":"memory","heapUsedBytes","heapCommittedBytes","nonHeapUsedBytes","directBytes","directBuffers","nettyDirectBytes","threads"}}
 *       for each {@code memory} line: the heap after two full GCs, NIO's direct buffers (what
 *       Netty's pools allocate when it uses cleaners, its default on Java 17), Netty's own count of
 *       direct memory it allocated without them (-1 when it does not count), and live threads.
 * </ul>
 *
 * A {@code stop} line or the end of stdin (the driver died) closes the proxy and exits, as does
 * SIGTERM.
 */
final class ProxyChild {
  private ProxyChild() {}

  static void main(String[] args) throws Exception {
    ProxyConfig config = ProxyConfig.load(Path.of(args[0]));
    long baseline = heapAfterGc().getUsed();
    long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
    long started = System.nanoTime();
    Proxy proxy = Proxy.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(proxy::close, "proxy-child-stop"));
    emit(
        "{\"event\":\"started\",\"port\":%d,\"jvmUptimeMillis\":%d,\"baselineHeapBytes\":%d}",
        proxy.webAddress().port(), uptime, baseline);
    Collection<Counter> records =
        proxy.meterRegistry().find("gatehouse.materializer.records").counters();
    long firstRecord = 0;
    while (!proxy.isReady()) {
      if (firstRecord == 0 && applied(records) > 0) {
        firstRecord = System.nanoTime();
      }
      LockSupport.parkNanos(1_000_000);
    }
    long ready = System.nanoTime();
    emit(
        "{\"event\":\"ready\",\"proxyStartToReadyMillis\":%.1f,\"firstRecordToReadyMillis\":%.1f,\"appliedRecords\":%.0f}",
        (ready - started) / 1e6,
        firstRecord == 0 ? 0 : (ready - firstRecord) / 1e6,
        applied(records));
    // After the timed part: an admin for the driver's API calls (a bench-only loopback proxy).
    proxy
        .accounts()
        .put("bench", java.util.List.of("admin"), null, "bench")
        .toCompletableFuture()
        .get();
    while (!proxy.accounts().knows("bench")) {
      LockSupport.parkNanos(1_000_000);
    }
    emit(
        "{\"event\":\"credential\",\"token\":\"%s\"}",
        proxy.accounts().credential("bench", java.time.Duration.ofHours(12)));
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
      if (line.equals("heap")) {
        MemoryUsage heap = heapAfterGc();
        emit(
            "{\"event\":\"heap\",\"heapUsedBytes\":%d,\"heapCommittedBytes\":%d}",
            heap.getUsed(), heap.getCommitted());
      } else if (line.equals("memory")) {
        MemoryUsage heap = heapAfterGc();
        BufferPoolMXBean direct =
            ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct"))
                .findFirst()
                .orElseThrow();
        emit(
            "{\"event\":\"memory\",\"heapUsedBytes\":%d,\"heapCommittedBytes\":%d,"
                + "\"nonHeapUsedBytes\":%d,\"directBytes\":%d,\"directBuffers\":%d,"
                + "\"nettyDirectBytes\":%d,\"threads\":%d}",
            heap.getUsed(),
            heap.getCommitted(),
            ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getUsed(),
            direct.getMemoryUsed(),
            direct.getCount(),
            PlatformDependent.usedDirectMemory(),
            ManagementFactory.getThreadMXBean().getThreadCount());
      }
    }
    proxy.close();
    System.exit(0);
  }

  private static double applied(Collection<Counter> records) {
    return records.stream().mapToDouble(Counter::count).sum();
  }

  private static MemoryUsage heapAfterGc() {
    for (int i = 0; i < 2; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
  }

  private static void emit(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }
}
