package io.gatehouse.bench;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.lifecycle.FileTree;
import io.gatehouse.state.KeyValueStore;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.TypedStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/** Point lookup and "all agents of one resource" prefix scan on a store of 1M heartbeats. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class StoreLookupBenchmark {
  @Param({"1000000"})
  int records;

  /** "fresh": right after the bulk write (memtables + L0); "compacted": the steady state. */
  @Param({"compacted", "fresh"})
  String layout;

  private Path dir;
  private StateStore store;
  private KeyValueStore heartbeats;
  private TypedStore<ResourceHeartbeat> typed;
  private Fleet fleet;

  @Setup(Level.Trial)
  public void fill() throws IOException {
    fleet = new Fleet(records / 10, 10);
    dir = Files.createTempDirectory("gatehouse-lookup-");
    store = Fleet.open(dir);
    fleet.writeHeartbeats(store);
    if (layout.equals("compacted")) {
      store.compact();
    }
    heartbeats = store.table("heartbeats");
    typed = new TypedStore<>(heartbeats, EventCodec.RESOURCE_HEARTBEAT);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    FileTree.delete(dir);
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
