package io.gatehouse.agent.internal.relay;

import io.gatehouse.relay.tunnel.TunnelStream;
import java.util.concurrent.CompletableFuture;

/**
 * The sessions the agent is relaying right now: every session stream it accepted (an HTTP request,
 * an upgraded WebSocket, a TCP session) from the moment it is handed to a relay until the stream
 * closes, whichever end closed it. What a drain waits for, and what draining agents report. The
 * control streams are not sessions. Thread-safe.
 */
public final class OpenSessions {
  private int open;
  private CompletableFuture<Void> none = CompletableFuture.completedFuture(null);

  /** Counts {@code stream} as open until it closes. */
  void add(TunnelStream stream) {
    synchronized (this) {
      if (open++ == 0) {
        none = new CompletableFuture<>();
      }
    }
    stream.closeFuture().onComplete(v -> remove());
  }

  private void remove() {
    CompletableFuture<Void> idle = null;
    synchronized (this) {
      if (--open == 0) {
        idle = none;
      }
    }
    if (idle != null) {
      idle.complete(null);
    }
  }

  /** How many sessions are open now. */
  public synchronized int count() {
    return open;
  }

  /** Completes once no session is open: at once when none is. */
  public synchronized CompletableFuture<Void> none() {
    return none;
  }
}
