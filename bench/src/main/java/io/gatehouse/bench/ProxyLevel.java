package io.gatehouse.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Proxies with some agents connected, measured as the tunnel benchmarks report them: CPU over one
 * idle window shared by every proxy (tunnels up, agents pinging, no sessions), then each proxy's
 * memory: heap after two full GCs, NIO direct buffers, Netty's own direct count, threads and RSS,
 * and what is resident besides the committed heap.
 */
final class ProxyLevel {
  private static final List<String> PER_AGENT =
      List.of(
          "heapUsedBytes",
          "rssBytes",
          "nativeBytes",
          "directBytes",
          "nettyDirectBytes",
          "threads",
          "idleCpuSecondsPerSecond");

  private ProxyLevel() {}

  /**
   * One level per proxy, in the order given, with {@code agents} connected: idle CPU first (a GC
   * would add to it), then memory.
   */
  static List<JsonObject> measure(List<ProxyProcess> proxies, int agents, Duration idle)
      throws IOException, InterruptedException {
    double[] cpu0 = new double[proxies.size()];
    for (int i = 0; i < cpu0.length; i++) {
      cpu0[i] = ProcStat.cpuSeconds(proxies.get(i).pid());
    }
    long t0 = System.nanoTime();
    TimeUnit.MILLISECONDS.sleep(idle.toMillis()); // the window itself, not a wait for a condition
    double seconds = (System.nanoTime() - t0) / 1e9;
    double[] cpuPerSecond = new double[proxies.size()];
    for (int i = 0; i < cpu0.length; i++) {
      cpuPerSecond[i] = (ProcStat.cpuSeconds(proxies.get(i).pid()) - cpu0[i]) / seconds;
    }
    List<JsonObject> levels = new ArrayList<>();
    for (int i = 0; i < cpu0.length; i++) {
      ProxyProcess proxy = proxies.get(i);
      JsonObject memory = proxy.memory();
      long rss = ProcStat.field(proxy.pid(), "VmRSS");
      levels.add(
          new JsonObject()
              .put("agents", agents)
              .put("heapUsedBytes", memory.getLong("heapUsedBytes"))
              .put("heapCommittedBytes", memory.getLong("heapCommittedBytes"))
              .put("nonHeapUsedBytes", memory.getLong("nonHeapUsedBytes"))
              .put("directBytes", memory.getLong("directBytes"))
              .put("nettyDirectBytes", memory.getLong("nettyDirectBytes"))
              .put("threads", memory.getLong("threads"))
              .put("rssBytes", rss)
              // What is resident besides the heap G1 has committed: metaspace, code, thread
              // stacks, direct buffers, malloc. The heap's share of RSS follows its committed
              // size, which G1 grows in steps, not with each agent.
              .put("nativeBytes", rss - memory.getLong("heapCommittedBytes"))
              .put("idleCpuSecondsPerSecond", cpuPerSecond[i]));
    }
    return levels;
  }

  /** What each agent added from level {@code from} to level {@code to}. */
  static JsonObject perAgent(JsonObject from, JsonObject to) {
    int agents = to.getInteger("agents") - from.getInteger("agents");
    JsonObject out = new JsonObject().put("fromAgents", from.getInteger("agents"));
    out.put("toAgents", to.getInteger("agents"));
    for (String key : PER_AGENT) {
      out.put(key, (to.getDouble(key) - from.getDouble(key)) / agents);
    }
    return out;
  }
}
