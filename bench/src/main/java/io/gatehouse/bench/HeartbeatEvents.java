package io.gatehouse.bench;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A proxy's heartbeat change stream, {@code GET /v1/events?topics=heartbeats} (server-sent events,
 * each emitted once the record is in the proxy's local state, the stream its routing index is fed
 * from), read on a daemon thread that notes when the first event of each key arrived ({@link
 * System#nanoTime}). Tombstones and the proxy's status events are not noted.
 */
final class HeartbeatEvents implements AutoCloseable {
  private final InputStream events;
  private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
  private volatile RuntimeException readerFailure;

  /** Subscribes to {@code proxy}'s heartbeat events; returns once the stream is open. */
  HeartbeatEvents(ProxyProcess proxy) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(proxy.baseUrl() + "/v1/events?topics=heartbeats"))
            .header("Authorization", proxy.authorization())
            .GET()
            .build();
    HttpResponse<InputStream> response =
        proxy.http().send(request, HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      response.body().close();
      throw new IllegalStateException("GET /v1/events answered " + response.statusCode());
    }
    this.events = response.body();
    CountDownLatch open = new CountDownLatch(1);
    Thread reader = new Thread(() -> read(open), "proxy-events");
    reader.setDaemon(true);
    reader.start();
    if (!open.await(10, TimeUnit.SECONDS)) {
      close();
      throw new IllegalStateException("the proxy's event stream sent nothing in 10 s");
    }
  }

  /**
   * When the first event of {@code key} arrived, waiting for it until {@code deadline} ({@link
   * System#nanoTime}); null if it did not.
   *
   * @throws IllegalStateException when the stream carried an event this could not read
   */
  Long awaitArrival(String key, long deadline) {
    Long at;
    while ((at = arrivals.get(key)) == null && System.nanoTime() < deadline) {
      if (readerFailure != null) {
        throw new IllegalStateException("cannot read the proxy's event stream", readerFailure);
      }
      LockSupport.parkNanos(20_000);
    }
    return at;
  }

  @Override
  public void close() {
    try {
      events.close();
    } catch (IOException e) {
      // the stream is gone either way
    }
  }

  private void read(CountDownLatch open) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(events, StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        long now = System.nanoTime();
        open.countDown();
        if (line.startsWith("data: ")) {
          JsonObject event = new JsonObject(line.substring("data: ".length()));
          String key = event.getString("key");
          // The stream also carries the proxy's status events, which have no key.
          if (key != null && !event.getBoolean("deleted", false)) {
            arrivals.putIfAbsent(key, now);
          }
        }
      }
    } catch (IOException e) {
      // closed by close(), or the proxy went away: keys still awaited time out
    } catch (RuntimeException e) {
      // an event that cannot be read: fail the run rather than time out every sample
      readerFailure = e;
    }
  }
}
