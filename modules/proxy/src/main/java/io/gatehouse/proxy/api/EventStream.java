package io.gatehouse.proxy.api;

import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.StateChange;
import io.vertx.core.Context;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * {@code GET /v1/events}: server-sent events of the changes applied to local state, from the moment
 * the client connects. Each event is named after its table and carries
 * {@code {"topic","key","deleted","value"}}; {@code ?topics=heartbeats,agents} narrows the stream.
 * A client that cannot keep up (its write queue is full) is disconnected rather than buffered.
 */
final class EventStream {
  private static final long KEEP_ALIVE_MILLIS = 15_000;

  private final Flux<StateChange> changes;
  private final String proxyId;

  EventStream(Flux<StateChange> changes, String proxyId) {
    this.changes = changes;
    this.proxyId = proxyId;
  }

  void handle(RoutingContext ctx) {
    Set<Topic> topics = EnumSet.copyOf(Topic.MATERIALIZED);
    List<String> filter = ctx.queryParam("topics");
    if (!filter.isEmpty()) {
      topics.clear();
      for (String word : String.join(",", filter).split(",")) {
        String w = word.strip().toLowerCase(Locale.ROOT);
        Topic t = Topic.MATERIALIZED.stream().filter(x -> x.suffix().equals(w)).findFirst().orElse(null);
        if (t == null) {
          ctx.fail(new io.gatehouse.proxy.ingress.IngressFailure(400, "bad-request", "unknown topic '" + word + "' (expected resources, heartbeats, agents, sessions or audit)"));
          return;
        }
        topics.add(t);
      }
    }
    HttpServerResponse response = ctx.response();
    response
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .write(": gatehouse proxy " + proxyId + "\n\n");
    Context context = ctx.vertx().getOrCreateContext();
    Disposable subscription =
        changes
            .filter(c -> topics.contains(c.topic()))
            .subscribe(
                change -> context.runOnContext(v -> send(response, change)),
                error -> context.runOnContext(v -> end(response)),
                () -> context.runOnContext(v -> end(response)));
    long keepAlive = ctx.vertx().setPeriodic(KEEP_ALIVE_MILLIS, id -> {
      if (!response.ended() && !response.closed()) {
        response.write(": keep-alive\n\n");
      }
    });
    response.closeHandler(
        v -> {
          subscription.dispose();
          ctx.vertx().cancelTimer(keepAlive);
        });
    response.endHandler(
        v -> {
          subscription.dispose();
          ctx.vertx().cancelTimer(keepAlive);
        });
  }

  private static void send(HttpServerResponse response, StateChange change) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.writeQueueFull()) {
      response.reset();
      return;
    }
    JsonObject data = new JsonObject().put("topic", change.topic().suffix()).put("key", change.key()).put("deleted", change.isDelete());
    try {
      data.put("value", change.isDelete() ? null : AvroJson.of(change.value()));
    } catch (RuntimeException e) {
      return; // stored values decode; a damaged one is not worth a broken stream
    }
    response.write("event: " + change.topic().suffix() + "\ndata: " + data.encode() + "\n\n");
  }

  private static void end(HttpServerResponse response) {
    if (!response.ended() && !response.closed()) {
      response.end();
    }
  }
}
