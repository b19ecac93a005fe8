package io.gatehouse.agent.internal.heartbeat;

import io.gatehouse.agent.ServedResource;
import io.gatehouse.agent.internal.catalog.ResourceCatalog;
import io.gatehouse.agent.internal.health.TargetHealth;
import io.gatehouse.lifecycle.DaemonThreads;
import io.gatehouse.relay.tunnel.TunnelStream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every proxy the agent has a tunnel to what it serves, on the tunnels' control streams:
 * {@code {"serve":{…}}} for each served resource when the stream opens and on every change (of the
 * resource, or of its upstream's health: {@code "health":{"state":…,"reason":…,"since":…}}), with
 * the agent's {@code "zone"} when it has one, {@code {"unserve":"kind/name"}} when one stops. One
 * of those proxies, the <em>primary</em>, is told {@code {"writer":true}}: it alone writes the
 * agent's heartbeats to Kafka (and refreshes them), so the topic carries one record per resource
 * however many proxies there are. When the primary's tunnel closes, another open one becomes
 * primary and writes at once; the proxies already know what the agent serves. The primary also
 * feeds the dynamic watchers ({@link #onPrimary}).
 *
 * <p>Everything runs on one thread, and only that thread writes these lines, so each proxy reads
 * them in the order the changes happened. {@link #goodbye} asks the primary to tombstone the
 * agent's heartbeats and waits for Kafka's acknowledgement; {@link #kill} stops without a word.
 */
public final class HeartbeatPublisher implements ResourceCatalog.Listener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatPublisher.class);

  private final String agentId;
  private final Optional<String> zone;
  private final ExecutorService thread;
  private final Counter sent;
  private final Counter refused;

  /** Served resources by key; publisher thread only. */
  private final Map<String, ServedResource> served = new LinkedHashMap<>();

  /** What the health checks last said of each served resource's upstream; publisher thread only. */
  private final Map<String, TargetHealth> health = new HashMap<>();

  /** Open control streams by proxy id; publisher thread only. */
  private final Map<String, TunnelStream> streams = new TreeMap<>();

  private TunnelStream primary;

  /** While draining, the sessions still open as last told to the proxies; -1 before. */
  private int draining = -1;

  private CompletableFuture<Boolean> farewell;
  private volatile Consumer<TunnelStream> primaryListener = s -> {};
  private volatile boolean silent;

  /** Set on the publisher's thread when the goodbye starts: nothing more is served. */
  private boolean leaving;

  /**
   * @param zone the agent's zone, said with every served resource ({@code "zone"} of a serve line)
   */
  public HeartbeatPublisher(String agentId, Optional<String> zone, MeterRegistry registry) {
    this.agentId = agentId;
    this.zone = zone;
    this.thread =
        Executors.newSingleThreadExecutor(
            DaemonThreads.named("gatehouse-agent-heartbeat-" + agentId));
    this.sent =
        Counter.builder("gatehouse.agent.heartbeats.sent")
            .description("Serve and unserve lines sent up the agent's control streams")
            .register(registry);
    this.refused =
        Counter.builder("gatehouse.agent.heartbeats.refused")
            .description(
                "Heartbeats a proxy refused (kind not allowed by the certificate, bad resource)")
            .register(registry);
  }

  /**
   * Called (on the publisher's thread) with each new primary stream, {@code null} when none is
   * left: the dynamic watchers read their definitions from it.
   */
  public void onPrimary(Consumer<TunnelStream> listener) {
    this.primaryListener = listener;
  }

  @Override
  public void served(ServedResource resource) {
    submit(
        () -> {
          if (leaving) {
            return;
          }
          served.put(resource.key(), resource);
          // A new or changed resource is a new upstream: its checks start over, from unknown.
          health.remove(resource.key());
          String line = serveLine(resource);
          streams.values().forEach(s -> write(s, line));
        });
  }

  @Override
  public void stopped(ServedResource resource) {
    submit(
        () -> {
          if (leaving) {
            return;
          }
          served.remove(resource.key());
          health.remove(resource.key());
          String line = line(new JsonObject().put("unserve", resource.key()));
          streams.values().forEach(s -> write(s, line));
        });
  }

  /**
   * The health checks' verdict on {@code resource}'s upstream changed: every proxy hears the
   * resource again with it, at once (the writer writes the heartbeat on the change, not at the next
   * refresh). Ignored unless {@code resource} is still served as it was checked.
   */
  public void health(ServedResource resource, TargetHealth verdict) {
    submit(
        () -> {
          if (leaving || !resource.equals(served.get(resource.key()))) {
            return;
          }
          health.put(resource.key(), verdict);
          String line = serveLine(resource);
          streams.values().forEach(s -> write(s, line));
        });
  }

  /** A control stream to proxy {@code proxyId} opened: it hears everything served. */
  public void opened(String proxyId, TunnelStream stream) {
    submit(
        () -> {
          TunnelStream previous = streams.put(proxyId, stream);
          served.values().forEach(r -> write(stream, serveLine(r)));
          if (draining >= 0) {
            write(stream, drainingLine(draining));
          }
          if (previous == primary || primary == null) {
            choosePrimary();
          }
        });
  }

  /** A control stream closed (its tunnel went). */
  public void closed(String proxyId, TunnelStream stream) {
    submit(
        () -> {
          streams.remove(proxyId, stream);
          if (stream == primary) {
            primary = null;
            if (farewell != null) {
              // The writer went with the tunnel: nobody will tombstone; the records expire by TTL.
              farewell.complete(false);
            }
            // Leaving, no other proxy may become the writer: it would write the records again.
            if (!leaving) {
              choosePrimary();
            }
          }
        });
  }

  /** A line from a proxy that concerns heartbeats: a refusal, or the answer to the goodbye. */
  public void answered(String proxyId, JsonObject message) {
    if (message.getValue("refused") instanceof String key) {
      refused.increment();
      LOG.warn(
          "agent {}: proxy {} refused to heartbeat {}: {}",
          agentId,
          proxyId,
          key,
          message.getString("reason"));
    }
    if (message.getValue("goodbye") instanceof String outcome) {
      submit(
          () -> {
            if (farewell != null) {
              if (!"done".equals(outcome)) {
                LOG.warn(
                    "agent {}: proxy {} could not tombstone its heartbeats: {}",
                    agentId,
                    proxyId,
                    message.getString("reason"));
              }
              farewell.complete("done".equals(outcome));
            }
          });
    }
  }

  /**
   * The agent takes no new sessions and has {@code sessions} still open: every proxy is told at
   * once, and every new stream from now on. Called again as the count changes; an unchanged count
   * is not sent again.
   */
  public void draining(int sessions) {
    submit(
        () -> {
          if (sessions == draining) {
            return;
          }
          draining = sessions;
          String line = drainingLine(sessions);
          streams.values().forEach(s -> write(s, line));
        });
  }

  private static String drainingLine(int sessions) {
    return line(new JsonObject().put("state", "draining").put("sessions", sessions));
  }

  /**
   * Graceful stop: asks the primary proxy to tombstone every heartbeat of the agent and waits, at
   * most {@code timeout}, for it to say Kafka has them. Returns whether it did.
   */
  public boolean goodbye(Duration timeout) {
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    try {
      thread.execute(
          () -> {
            leaving = true;
            if (primary == null) {
              done.complete(false);
              return;
            }
            farewell = done;
            write(primary, line(new JsonObject().put("goodbye", true)));
          });
    } catch (RejectedExecutionException e) {
      return false;
    }
    try {
      return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn(
          "agent {}: no proxy confirmed the goodbye within {} ms; its heartbeats expire by TTL",
          agentId,
          timeout.toMillis());
      return false;
    } catch (ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Stops at once, saying nothing more: what proxies see of a crashed agent. */
  public void kill() {
    silent = true;
    close();
  }

  /** Stops the publisher's thread. Idempotent. */
  @Override
  public void close() {
    silent = true;
    thread.shutdownNow();
  }

  private void choosePrimary() {
    primary = streams.isEmpty() ? null : streams.values().iterator().next();
    if (primary != null) {
      write(primary, line(new JsonObject().put("writer", true)));
    }
    primaryListener.accept(primary);
  }

  /** Writes a line on {@code stream}; publisher thread only, so lines keep their order. */
  public void send(TunnelStream stream, JsonObject message) {
    submit(() -> write(stream, line(message)));
  }

  private void write(TunnelStream stream, String line) {
    stream.write(Buffer.buffer(line));
    sent.increment();
  }

  private String serveLine(ServedResource r) {
    JsonObject serve =
        new JsonObject()
            .put("agent", agentId)
            .put("kind", r.kind().word())
            .put("name", r.name())
            .put("labels", new JsonObject(Map.copyOf(r.labels())))
            .put("uri", r.uri())
            .put("origin", r.origin().word());
    r.protocol().ifPresent(p -> serve.put("protocol", p));
    zone.ifPresent(z -> serve.put("zone", z));
    TargetHealth verdict = health.get(r.key());
    if (verdict != null) {
      serve.put("health", verdict.toJson());
    }
    return line(new JsonObject().put("serve", serve));
  }

  private static String line(JsonObject message) {
    return message.encode() + "\n";
  }

  private void submit(Runnable work) {
    try {
      thread.execute(
          () -> {
            if (!silent) {
              work.run();
            }
          });
    } catch (RejectedExecutionException e) {
      // Stopped: proxies learn from the tunnels closing.
    }
  }
}
