package io.gatehouse.lifecycle;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The parts a component opened, closed in the reverse of the order they were registered, so that a
 * part is always closed before what it was built on (a consumer before its store, a server before
 * its event loop). Register each part right after it is opened; the same closer then serves a start
 * that fails half-way and the component's own {@code close()}.
 *
 * <p>Guarantees: every registered part is closed even when an earlier one fails; the first failure
 * is reported, with every later one added to it as suppressed; parts are closed once, so a second
 * {@link #close} does nothing. Parts registered after closing are closed at once, as a component
 * that is already stopped must not hold anything. An {@link Error} is not caught: the JVM is in no
 * state to go on closing. Thread-safe.
 */
public final class Closer {
  /** Closing a part of type {@code T}, e.g. {@code Disposable::dispose}. */
  @FunctionalInterface
  public interface PartStep<T> {
    void close(T part) throws Exception;
  }

  private final Deque<AutoCloseable> steps = new ArrayDeque<>();
  private boolean closed;

  /**
   * Registers an {@link AutoCloseable} part, or a step that releases something without an object of
   * its own, e.g. {@code closer.register(() -> deleteTree(dir))}.
   *
   * @return {@code part}, so that opening and registering read as one line
   */
  public <T extends AutoCloseable> T register(T part) {
    Objects.requireNonNull(part, "part");
    boolean late;
    synchronized (this) {
      late = closed;
      if (!late) {
        steps.push(part);
      }
    }
    if (late) {
      closeAll(new ArrayDeque<>(List.of(part))).ifPresent(Closer::rethrowUnchecked);
    }
    return part;
  }

  /**
   * Registers a part and how to close it.
   *
   * @return {@code part}
   */
  public <T> T register(T part, PartStep<? super T> close) {
    Objects.requireNonNull(part, "part");
    Objects.requireNonNull(close, "close");
    register((AutoCloseable) () -> close.close(part));
    return part;
  }

  /**
   * Closes every part, last registered first, and throws the first failure, wrapped by {@code
   * wrap}, when there was one. Does nothing when already closed.
   *
   * @param wrap turns the first failure into the component's own exception, naming the component
   */
  public <E extends Exception> void close(Function<? super Exception, E> wrap) throws E {
    Optional<Exception> failure = closeAll();
    if (failure.isPresent()) {
      throw wrap.apply(failure.get());
    }
  }

  /**
   * Closes every part, last registered first, and returns the first failure, with every later
   * failure added to it as suppressed; empty when every part closed, or when already closed. For a
   * caller that must not throw (a start that is already failing, a shutdown hook).
   */
  public Optional<Exception> closeAll() {
    Deque<AutoCloseable> toClose;
    synchronized (this) {
      if (closed) {
        return Optional.empty();
      }
      closed = true;
      toClose = new ArrayDeque<>(steps);
      steps.clear();
    }
    return closeAll(toClose);
  }

  private static Optional<Exception> closeAll(Deque<AutoCloseable> toClose) {
    Exception first = null;
    for (AutoCloseable step : toClose) {
      try {
        step.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else if (e != first) {
          first.addSuppressed(e);
        }
      }
    }
    return Optional.ofNullable(first);
  }

  private static void rethrowUnchecked(Exception e) {
    if (e instanceof RuntimeException re) {
      throw re;
    }
    throw new IllegalStateException("cannot close a part registered after closing", e);
  }
}
