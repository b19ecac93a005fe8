package io.gatehouse.proxy.session;

import io.gatehouse.events.Keys;
import io.gatehouse.events.SessionPin;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.codec.EventDecodeException;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.publish.EventPublisher;
import io.gatehouse.proxy.routing.AgentEndpoint;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.state.KeyValueStore;
import io.gatehouse.state.StateBatch;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.TableView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import reactor.core.publisher.Flux;

/**
 * Session pins: which agent a session is on. A pin is written to the local {@code sessions} table
 * at once, so the next request through this proxy sees it, and to {@code gatehouse.sessions}, so
 * every other proxy sees it once its materializer has read it. Removing a pin deletes it locally
 * and writes a tombstone.
 *
 * <p>A pin is keyed by its session's {@linkplain SessionKeys key} (the keyed hash of the session
 * id), never by the id: {@link #get} hashes the cookie it is given, and the pin's {@code sessionId}
 * field holds the same key. So neither the topic nor the state built from it holds a bearer secret,
 * and every operation on a pin once made ({@link #repin}, {@link #touch}, {@link #unpin}) works
 * from the pin alone.
 *
 * <p>HTTP pins carry {@code lastActiveAt}, refreshed at most once per touch interval so that a busy
 * session does not write on every request; a pin idle past the timeout is expired by {@link
 * #expire}. TCP pins live exactly as long as their connection.
 *
 * <p>The keys of the pinned sessions are also held in memory with the agent of each (about 200
 * bytes each), current through this class's writes and the materializer's changes, so {@link
 * #count()} and {@link #openOn} cost no scan. Close it to unsubscribe; the store is not closed.
 * Thread-safe.
 */
public final class SessionPins implements AutoCloseable {
  public static final String HTTP = "http";
  public static final String TCP = "tcp";

  private final StateStore store;
  private final KeyValueStore table;
  private final SessionKeys keys;
  private final EventPublisher publisher;
  private final Clock clock;
  private final String proxyId;

  /** Session key → its agent's id ({@code ""} for a damaged pin). */
  private final Map<String, String> pinned = new ConcurrentHashMap<>();

  /** Agent id → its pinned sessions; an agent with none has no entry. */
  private final Map<String, Integer> perAgent = new ConcurrentHashMap<>();

  private final TableView<String> view;

  /**
   * Pins in {@code store}, following {@code changes} (the materializer's) for pins other proxies
   * write. The keys are loaded and followed through a {@link TableView}: no change is missed, and a
   * pin deleted while they load is not counted.
   *
   * @param keys the session keys of the cluster: every proxy must hash with the same secret
   */
  public SessionPins(
      StateStore store,
      Flux<StateChange> changes,
      EventPublisher publisher,
      Clock clock,
      String proxyId,
      SessionKeys keys) {
    this.store = store;
    this.table = store.table(Topic.SESSIONS.suffix());
    this.keys = Objects.requireNonNull(keys, "keys");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.proxyId = Objects.requireNonNull(proxyId, "proxyId");
    // Only the keys and agents are kept: the counts need no more, and get() reads the store.
    this.view =
        TableView.open(
            store,
            Topic.SESSIONS,
            changes,
            (key, value) -> agentOf(value),
            TableView.Listener.of(this::track, key -> track(key, null)));
  }

  /** The key that stands for {@code sessionId} in pins, audit events and listings. */
  public String key(String sessionId) {
    return keys.of(sessionId);
  }

  /** How many sessions are pinned in local state, whichever proxy pinned them. */
  public int count() {
    return pinned.size();
  }

  /**
   * How many sessions are pinned to {@code agentId} in local state, whichever proxy pinned them:
   * this proxy's own from the moment they are pinned, other proxies' once read from {@code
   * gatehouse.sessions}. A TCP session counts until its connection closes; an HTTP session until it
   * ends or expires idle.
   */
  public int openOn(String agentId) {
    Integer n = perAgent.get(agentId);
    return n == null ? 0 : n;
  }

  /** The pin of {@code sessionId} (a cookie's value), as this proxy knows it. */
  public Optional<SessionPin> get(String sessionId) {
    byte[] value = table.get(Keys.bytes(keys.of(sessionId)));
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(EventCodec.SESSION_PIN.decode(value));
    } catch (EventDecodeException e) {
      return Optional.empty();
    }
  }

  /**
   * Pins a new session to {@code agent}, now.
   *
   * @return the pin, whose {@code sessionId} is the session's key, not {@code sessionId}
   */
  public SessionPin pin(
      String sessionId, ResourceRef resource, AgentEndpoint agent, String transport, String user) {
    Instant now = clock.instant();
    String key = keys.of(sessionId);
    SessionPin pin =
        SessionPin.newBuilder()
            .setSessionId(key)
            .setKind(resource.kind().word())
            .setName(resource.name())
            .setAgentId(agent.agentId())
            .setAgentAddress(agent.address())
            .setProxyId(proxyId)
            .setUser(user)
            .setTransport(transport)
            .setStartedAt(now)
            .setLastActiveAt(now)
            .build();
    write(key, pin);
    return pin;
  }

  /** Moves an existing session to another agent, keeping its start time. */
  public SessionPin repin(SessionPin pin, AgentEndpoint agent) {
    SessionPin moved =
        SessionPin.newBuilder(pin)
            .setAgentId(agent.agentId())
            .setAgentAddress(agent.address())
            .setProxyId(proxyId)
            .setLastActiveAt(clock.instant())
            .build();
    write(pin.getSessionId(), moved);
    return moved;
  }

  /**
   * Records activity on a session. Writes only when the pin's {@code lastActiveAt} is older than
   * {@code interval}, so idle expiry stays accurate to that interval at the cost of one write per
   * interval per active session.
   *
   * @return the pin as it now stands
   */
  public SessionPin touch(SessionPin pin, Duration interval) {
    Instant now = clock.instant();
    if (Duration.between(pin.getLastActiveAt(), now).compareTo(interval) < 0) {
      return pin;
    }
    SessionPin touched =
        SessionPin.newBuilder(pin).setProxyId(proxyId).setLastActiveAt(now).build();
    write(pin.getSessionId(), touched);
    return touched;
  }

  /** Ends a session: deletes its pin here and tombstones it on the topic. */
  public void unpin(SessionPin pin) {
    write(pin.getSessionId(), null);
  }

  /** Whether the pin has been idle longer than {@code timeout}. */
  public boolean isIdle(SessionPin pin, Duration timeout) {
    return HTTP.equals(pin.getTransport())
        && Duration.between(pin.getLastActiveAt(), clock.instant()).compareTo(timeout) > 0;
  }

  /** Every pin this proxy knows, in key order. */
  public List<SessionPin> all() {
    List<SessionPin> out = new ArrayList<>();
    table.scan(
        new byte[0],
        (k, v) -> {
          try {
            out.add(EventCodec.SESSION_PIN.decode(v));
          } catch (EventDecodeException e) {
            // Damaged entry: not listable, and expire() cannot judge it either.
          }
          return true;
        });
    return out;
  }

  /**
   * Ends HTTP sessions idle past {@code idleTimeout} that this proxy wrote last, and those idle
   * past twice the timeout whoever wrote them (so the pins of a proxy that died are cleaned up
   * too).
   *
   * @return the pins ended
   */
  public List<SessionPin> expire(Duration idleTimeout) {
    Instant now = clock.instant();
    List<SessionPin> ended = new ArrayList<>();
    for (SessionPin pin : all()) {
      if (!HTTP.equals(pin.getTransport())) {
        continue;
      }
      boolean mine = proxyId.equals(pin.getProxyId());
      Duration idle = Duration.between(pin.getLastActiveAt(), now);
      if (idle.compareTo(mine ? idleTimeout : idleTimeout.multipliedBy(2)) > 0) {
        unpin(pin);
        ended.add(pin);
      }
    }
    return ended;
  }

  /**
   * Ends the TCP sessions this proxy's id pinned in an earlier run: their connections died with it.
   * Called once, when the proxy has caught up with the stream.
   *
   * @param openHere whether the TCP session of a key is open in this run
   * @return the pins ended
   */
  public List<SessionPin> endOrphans(Predicate<String> openHere) {
    List<SessionPin> ended = new ArrayList<>();
    for (SessionPin pin : all()) {
      if (TCP.equals(pin.getTransport())
          && proxyId.equals(pin.getProxyId())
          && !openHere.test(pin.getSessionId())) {
        unpin(pin);
        ended.add(pin);
      }
    }
    return ended;
  }

  /** Stops following the materializer's changes; idempotent. */
  @Override
  public void close() {
    view.close();
  }

  /** {@code key} is now pinned to {@code agentId}, or gone when it is null. */
  private void track(String key, String agentId) {
    pinned.compute(
        key,
        (k, before) -> {
          if (!Objects.equals(before, agentId)) {
            if (before != null) {
              perAgent.merge(before, -1, (n, d) -> n + d <= 0 ? null : n + d);
            }
            if (agentId != null) {
              perAgent.merge(agentId, 1, Integer::sum);
            }
          }
          return agentId;
        });
  }

  /** The agent a stored pin names; {@code ""} when the pin is damaged, so it is still counted. */
  private static String agentOf(byte[] value) {
    try {
      return EventCodec.SESSION_PIN.decode(value).getAgentId();
    } catch (EventDecodeException e) {
      return "";
    }
  }

  private void write(String key, SessionPin pin) {
    byte[] bytes = Keys.bytes(key);
    try (StateBatch batch = store.batch()) {
      if (pin == null) {
        batch.delete(table.name(), bytes);
      } else {
        batch.put(table.name(), bytes, EventCodec.SESSION_PIN.encode(pin));
      }
      // No write-ahead log: gatehouse.sessions is the source of truth and the materializer applies
      // the same pin from it; skipping the log takes ~9 us off every new session.
      store.writeUnlogged(batch);
    }
    track(key, pin == null ? null : pin.getAgentId());
    // Local state is what routing reads; a failed publish is counted and logged by the publisher.
    publisher.publish(Topic.SESSIONS, key, pin);
  }
}
