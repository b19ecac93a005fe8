package io.gatehouse.proxy.listener;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection's header-read deadline: armed while the connection owes a request head, closes the
 * connection when it passes. Used on the connection's event loop only.
 */
final class Deadline {
  private final Channel channel;
  private final long timeoutNanos;
  private final Runnable onExpiry;
  private ScheduledFuture<?> timer;

  Deadline(Channel channel, long timeoutNanos, Runnable onExpiry) {
    this.channel = channel;
    this.timeoutNanos = timeoutNanos;
    this.onExpiry = onExpiry;
  }

  /** Starts the wait for a head from now; a wait already running keeps its start. */
  void arm() {
    if (timer == null && channel.isActive()) {
      timer = channel.eventLoop().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** A head came, or the connection is no longer HTTP: no deadline until the next {@link #arm}. */
  void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void expire() {
    timer = null;
    if (channel.isActive()) {
      onExpiry.run();
      channel.close();
    }
  }
}
