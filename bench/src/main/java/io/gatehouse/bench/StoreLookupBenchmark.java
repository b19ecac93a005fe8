package io.gatehouse.bench;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.state.KeyValueStore;
import io.gatehouse.state.TypedStore;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/** Point lookup and "all agents of one resource" prefix scan on a store of 1M heartbeats. */
public class StoreLookupBenchmark extends StoreBenchmark {
  @Param({"1000000"})
  int records;

  /** "fresh": right after the bulk write (memtables + L0); "compacted": the steady state. */
  @Param({"compacted", "fresh"})
  String layout;

  private KeyValueStore heartbeats;
  private TypedStore<ResourceHeartbeat> typed;

  @Setup(Level.Trial)
  public void fill() throws IOException {
    open(new Fleet(records / 10, 10), "lookup");
    fleet.writeHeartbeats(store);
    if (layout.equals("compacted")) {
      store.compact();
    }
    heartbeats = store.table("heartbeats");
    typed = new TypedStore<>(heartbeats, EventCodec.RESOURCE_HEARTBEAT);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    closeStore();
  }

  @Benchmark
  public byte[] pointGet() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return heartbeats.get(fleet.key(random.nextInt(fleet.resources), random.nextInt(fleet.agents)));
  }

  @Benchmark
  public void prefixScanBytes(Blackhole hole) {
    int r = ThreadLocalRandom.current().nextInt(fleet.resources);
    heartbeats.scan(
        Keys.bytes(Keys.heartbeatPrefix("app", fleet.name(r))),
        (k, v) -> {
          hole.consume(v);
          return true;
        });
  }

  @Benchmark
  public List<TypedStore.Entry<ResourceHeartbeat>> prefixScanDecoded() {
    int r = ThreadLocalRandom.current().nextInt(fleet.resources);
    return typed.scan(Keys.heartbeatPrefix("app", fleet.name(r)));
  }
}
