package io.gatehouse.bench.suite;

import io.gatehouse.broker.EmbeddedKafka;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A standalone embedded KRaft broker for the data-path scenarios, in its own JVM so that its CPU is
 * not charged to the proxy: {@code BrokerMain PORT DATA_DIR}. Prints {@code ready} when it accepts
 * clients; stops on SIGTERM.
 */
public final class BrokerMain {
  private BrokerMain() {}

  public static void main(String[] args) throws InterruptedException {
    EmbeddedKafka kafka =
        EmbeddedKafka.builder()
            .host("127.0.0.1")
            .port(Integer.parseInt(args[0]))
            .dataDir(Path.of(args[1]))
            .build()
            .start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  kafka.close();
                  stopped.countDown();
                }));
    System.out.println("ready " + kafka.bootstrapServers());
    stopped.await();
  }
}
