package io.gatehouse.bench;

import io.gatehouse.lifecycle.FileTree;
import io.gatehouse.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A JMH benchmark over a local state store of a simulated fleet, in a temporary directory of its
 * own. Every such benchmark is measured alike (JMH reads these annotations from the superclass):
 * latency samples in µs, 2 warm-up iterations of 3 s, 3 measured ones of 5 s, one fork with a 2 GiB
 * heap. A subclass opens the store in its trial set-up ({@link #open}) and fills it, and ends its
 * trial tear-down with {@link #closeStore}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public abstract class StoreBenchmark {
  Fleet fleet;
  StateStore store;
  private Path dir;

  /** Opens an empty store for {@code fleet} in a new directory named after {@code name}. */
  void open(Fleet fleet, String name) throws IOException {
    this.fleet = fleet;
    dir = Files.createTempDirectory("gatehouse-" + name + "-");
    store = Fleet.open(dir);
  }

  /** Closes the store and deletes its directory. */
  void closeStore() throws IOException {
    store.close();
    FileTree.delete(dir);
  }
}
