package io.gatehouse.agent.internal.relay;

import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.internal.ContextInternal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The relay's pooled upstream HTTP clients, one per event loop, each used only from its own: a
 * request relayed from a stream on one loop leases a connection made on that loop, so its bytes
 * cross no thread. Vert.x's pool hands any idle connection to any caller, and since each proxy
 * spreads an agent's sessions over the agent's lanes, on as many loops, one shared pool would make
 * most requests hop to another loop and back. A caller off every event loop gets a client of its
 * own. Thread-safe.
 */
final class LoopClients {
  private final Supplier<HttpClient> factory;
  private final Map<EventLoop, HttpClient> clients = new ConcurrentHashMap<>();
  private final HttpClient elsewhere;

  /**
   * @param factory makes one client, with the pool each loop gets
   */
  LoopClients(Supplier<HttpClient> factory) {
    this.factory = factory;
    this.elsewhere = factory.get();
  }

  /** The client of the current event loop. */
  HttpClient current() {
    ContextInternal context = (ContextInternal) Vertx.currentContext();
    return context == null || !context.isEventLoopContext()
        ? elsewhere
        : clients.computeIfAbsent(context.nettyEventLoop(), loop -> factory.get());
  }

  /** How many loops have a client of their own. */
  int loops() {
    return clients.size();
  }
}
