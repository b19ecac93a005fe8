package io.gatehouse.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloserTest {
  private final List<String> closed = new ArrayList<>();

  private AutoCloseable part(String name) {
    return () -> closed.add(name);
  }

  private AutoCloseable failing(String name, Exception failure) {
    return () -> {
      closed.add(name);
      throw failure;
    };
  }

  @Test
  void closesPartsInTheReverseOfTheOrderTheyWereRegistered() {
    Closer closer = new Closer();
    closer.register(part("store"));
    closer.register(part("consumer"));
    closer.register(part("server"));

    assertThat(closer.closeAll()).isEmpty();

    assertThat(closed).containsExactly("server", "consumer", "store");
  }

  @Test
  void registerReturnsThePartAndClosesItWithTheGivenStep() {
    Closer closer = new Closer();
    StringBuilder part = closer.register(new StringBuilder("open"), b -> b.setLength(0));
    AutoCloseable resource = closer.register((AutoCloseable) () -> closed.add("resource"));

    closer.closeAll();

    assertThat(part).isEmpty();
    assertThat(resource).isNotNull();
    assertThat(closed).containsExactly("resource");
  }

  @Test
  void throwsTheFirstFailureWrappedAndAddsTheLaterOnesAsSuppressed() {
    IllegalStateException first = new IllegalStateException("consumer stuck");
    IOException second = new IOException("store busy");
    Closer closer = new Closer();
    closer.register(failing("store", second));
    closer.register(part("publisher"));
    closer.register(failing("consumer", first));
    closer.register(part("server"));

    assertThatThrownBy(() -> closer.close(e -> new IllegalStateException("proxy p-1: " + e, e)))
        .hasMessage("proxy p-1: " + first)
        .cause()
        .isSameAs(first);
    assertThat(first.getSuppressed()).containsExactly(second);
    assertThat(closed).containsExactly("server", "consumer", "publisher", "store");
  }

  @Test
  void closesOnceHoweverOftenItIsAsked() {
    Closer closer = new Closer();
    closer.register(failing("store", new IOException("busy")));

    assertThat(closer.closeAll()).isPresent();
    assertThat(closer.closeAll()).isEmpty();
    closer.close(e -> new IllegalStateException(e));

    assertThat(closed).containsExactly("store");
  }

  @Test
  void aPartRegisteredAfterClosingIsClosedAtOnce() {
    Closer closer = new Closer();
    closer.closeAll();

    closer.register(part("late"));

    assertThat(closed).containsExactly("late");
  }
}
