package io.gatehouse.proxy.api;

import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.auth.ApiGuard;
import io.gatehouse.proxy.session.SessionKeys;
import io.gatehouse.relay.ErrorCode;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * {@code GET /v1/events}: server-sent events of the changes applied to local state, from the moment
 * the client connects. Each event is named after its table and carries {@code
 * {"topic","key","deleted","value"}}; {@code ?topics=heartbeats,tunnels} narrows the stream.
 * Sessions appear by the short id {@code /v1/sessions} shows ({@link SessionKeys#shortId}), as
 * every listing does. Join tokens are not streamed: who may join is an operator's business, not the
 * API's.
 *
 * <p>Whatever the filter, a {@code status} event ({@link ProxyStatus}) comes first, again within a
 * second of a change of readiness, Kafka reachability or agent health, and at least every {@link
 * #STATUS_REFRESH_MILLIS} ms, which also keeps idle connections open through proxies in between. A
 * client that cannot keep up (its write queue is full) is disconnected rather than buffered.
 *
 * <p>At most {@code proxy.limits.max_event_subscribers} clients are streamed to at once; one more
 * gets 503 {@code overloaded} with {@code Retry-After}, before anything is subscribed.
 */
final class EventStream {
  /** The longest a client goes without a {@code status} event. */
  static final long STATUS_REFRESH_MILLIS = 15_000;

  private static final long STATUS_CHECK_MILLIS = 1_000;

  /**
   * How long an EventSource waits before reconnecting: short, so a restarted proxy is found soon.
   */
  private static final long RETRY_MILLIS = 2_000;

  /** What a client over the cap is told to wait: a few status refreshes' worth of reconnects. */
  static final int RETRY_AFTER_SECONDS = 5;

  private static final Set<Topic> WITH_SESSION_IDS = EnumSet.of(Topic.SESSIONS, Topic.AUDIT);

  /**
   * What the stream may carry: every materialized topic but the join tokens and the v1 agent beats
   * (no longer read).
   */
  private static final List<Topic> STREAMED =
      Topic.MATERIALIZED.stream()
          .filter(
              t ->
                  t != Topic.TOKENS
                      && t != Topic.AGENTS
                      // Users carry password hashes; both are read through their own API.
                      && t != Topic.USERS
                      && t != Topic.ROLES)
          .toList();

  private final Flux<StateChange> changes;
  private final String proxyId;
  private final ProxyStatus status;
  private final EventVisibility visibility;
  private final int maxSubscribers;
  private final AtomicInteger subscribers = new AtomicInteger();

  EventStream(
      Flux<StateChange> changes,
      String proxyId,
      ProxyStatus status,
      EventVisibility visibility,
      int maxSubscribers) {
    this.changes = changes;
    this.proxyId = proxyId;
    this.status = status;
    this.visibility = visibility;
    this.maxSubscribers = maxSubscribers;
  }

  void handle(RoutingContext ctx) {
    String user = ApiGuard.principal(ctx).user();
    Set<Topic> topics = EnumSet.copyOf(STREAMED);
    List<String> filter = ctx.queryParam("topics");
    if (!filter.isEmpty()) {
      topics.clear();
      for (String word : String.join(",", filter).split(",")) {
        String w = word.strip().toLowerCase(Locale.ROOT);
        Topic t = STREAMED.stream().filter(x -> x.suffix().equals(w)).findFirst().orElse(null);
        if (t == null) {
          ctx.fail(
              new Refusal(
                  ErrorCode.BAD_REQUEST,
                  "unknown topic '"
                      + word
                      + "' (expected one of "
                      + STREAMED.stream().map(Topic::suffix).toList()
                      + ")"));
          return;
        }
        topics.add(t);
      }
    }
    if (subscribers.incrementAndGet() > maxSubscribers) {
      subscribers.decrementAndGet();
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
      ctx.fail(
          new Refusal(
              ErrorCode.OVERLOADED,
              "the event stream has its "
                  + maxSubscribers
                  + " subscribers (proxy.limits.max_event_subscribers); retry later"));
      return;
    }
    AtomicBoolean subscribed = new AtomicBoolean(true);
    Runnable leave =
        () -> {
          if (subscribed.compareAndSet(true, false)) {
            subscribers.decrementAndGet();
          }
        };
    HttpServerResponse response = ctx.response();
    response
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .write(": gatehouse proxy " + proxyId + "\n\nretry: " + RETRY_MILLIS + "\n\n");
    StatusSender statusSender = new StatusSender(response);
    statusSender.send(status.current());
    Context context = ctx.vertx().getOrCreateContext();
    Disposable subscription =
        changes
            .filter(c -> topics.contains(c.topic()) && visibility.visible(user, c))
            .subscribe(
                change -> context.runOnContext(v -> send(response, change)),
                error -> context.runOnContext(v -> end(response)),
                () -> context.runOnContext(v -> end(response)));
    long timer =
        ctx.vertx()
            .setPeriodic(STATUS_CHECK_MILLIS, id -> statusSender.sendIfDue(status.current()));
    response.closeHandler(
        v -> {
          subscription.dispose();
          ctx.vertx().cancelTimer(timer);
          leave.run();
        });
    response.endHandler(
        v -> {
          subscription.dispose();
          ctx.vertx().cancelTimer(timer);
          leave.run();
        });
  }

  /** The {@code status} events of one connection: what it was last sent, and when. */
  private static final class StatusSender {
    private final HttpServerResponse response;
    private JsonObject sent;
    private long sentAtNanos;

    StatusSender(HttpServerResponse response) {
      this.response = response;
    }

    void sendIfDue(JsonObject now) {
      if (ProxyStatus.changed(sent, now)
          || System.nanoTime() - sentAtNanos
              >= TimeUnit.MILLISECONDS.toNanos(STATUS_REFRESH_MILLIS)) {
        send(now);
      }
    }

    void send(JsonObject now) {
      if (write(response, "status", now)) {
        sent = now;
        sentAtNanos = System.nanoTime();
      }
    }
  }

  private static void send(HttpServerResponse response, StateChange change) {
    JsonObject data =
        new JsonObject()
            .put("topic", change.topic().suffix())
            .put("key", change.key())
            .put("deleted", change.isDelete());
    try {
      data.put("value", change.isDelete() ? null : AvroJson.of(change.value()));
    } catch (RuntimeException e) {
      return; // stored values decode; a damaged one is not worth a broken stream
    }
    if (WITH_SESSION_IDS.contains(change.topic())) {
      hideSessionId(data);
    }
    write(response, change.topic().suffix(), data);
  }

  /** Cuts the session key in the record key and the value to the short id the API shows. */
  private static void hideSessionId(JsonObject data) {
    JsonObject value = data.getJsonObject("value");
    String id = value == null ? null : value.getString("sessionId");
    String key = data.getString("key");
    if (id != null) {
      value.put("sessionId", prefix(id));
    }
    // sessions are keyed by session key; audit events by session key or by kind/name.
    if (key.equals(id) || "sessions".equals(data.getString("topic"))) {
      data.put("key", prefix(key));
    }
  }

  private static String prefix(String sessionKey) {
    return SessionKeys.shortId(sessionKey);
  }

  /** Writes one event; false when the client is gone, or was dropped for not keeping up. */
  private static boolean write(HttpServerResponse response, String event, JsonObject data) {
    if (response.ended() || response.closed()) {
      return false;
    }
    if (response.writeQueueFull()) {
      response.reset();
      return false;
    }
    response.write("event: " + event + "\ndata: " + data.encode() + "\n\n");
    return true;
  }

  private static void end(HttpServerResponse response) {
    if (!response.ended() && !response.closed()) {
      response.end();
    }
  }
}
