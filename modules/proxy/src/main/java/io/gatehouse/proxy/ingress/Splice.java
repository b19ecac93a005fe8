package io.gatehouse.proxy.ingress;

import io.gatehouse.proxy.ingress.IngressMetrics.Relayed;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Handler;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Joins two sockets into one byte stream in both directions with back-pressure: a side is paused
 * while the other's write queue is full. When either side ends or closes, both are closed and the
 * end handler runs once with the byte counts. Every buffer is also counted on the given meters as
 * it passes, so long-lived connections show on them before they end.
 */
final class Splice {
  private final NetSocket user;
  private final NetSocket agent;
  private final AtomicLong fromUser = new AtomicLong();
  private final AtomicLong toUser = new AtomicLong();
  private final AtomicBoolean ended = new AtomicBoolean();
  private final Handler<Splice> onEnd;

  private Splice(NetSocket user, NetSocket agent, Handler<Splice> onEnd) {
    this.user = user;
    this.agent = agent;
    this.onEnd = onEnd;
  }

  /** Starts relaying; both sockets may be paused when handed over. */
  static Splice join(NetSocket user, NetSocket agent, Relayed meters, Handler<Splice> onEnd) {
    Splice s = new Splice(user, agent, onEnd);
    s.pump(user, agent, s.fromUser, meters.upstream());
    s.pump(agent, user, s.toUser, meters.downstream());
    user.resume();
    agent.resume();
    return s;
  }

  /** Bytes the user sent towards the upstream. */
  long bytesIn() {
    return fromUser.get();
  }

  /** Bytes the upstream sent towards the user. */
  long bytesOut() {
    return toUser.get();
  }

  /** Closes both sides (the end handler runs if it has not yet). */
  void close() {
    finish();
  }

  private void pump(NetSocket from, NetSocket to, AtomicLong counter, Counter meter) {
    from.handler(
        buffer -> {
          counter.addAndGet(buffer.length());
          meter.increment(buffer.length());
          to.write(buffer);
          if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
          }
        });
    from.endHandler(v -> finish());
    from.closeHandler(v -> finish());
    from.exceptionHandler(e -> finish());
  }

  private void finish() {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    // end() flushes what is queued before closing, so the last bytes of either side arrive.
    user.end();
    agent.end();
    onEnd.handle(this);
  }
}
