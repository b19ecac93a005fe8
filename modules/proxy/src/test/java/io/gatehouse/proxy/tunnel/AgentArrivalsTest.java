package io.gatehouse.proxy.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testkit.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class AgentArrivalsTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  private final MutableClock clock = new MutableClock();
  private final Set<String> here = ConcurrentHashMap.newKeySet();
  private List<String> elsewhere = List.of("agent-2", "agent-1");
  private final AgentArrivals arrivals =
      new AgentArrivals(() -> elsewhere, here::contains, clock, PATIENCE);

  @Test
  void notSettledBeforeTheStateHasCaughtUp() {
    elsewhere = List.of();
    assertThat(arrivals.settled()).isFalse();
    arrivals.caughtUp();
    assertThat(arrivals.settled()).isTrue();
  }

  @Test
  void waitsForEveryAgentOfTheOtherProxiesToConnectHere() {
    arrivals.caughtUp();
    assertThat(arrivals.settled()).isFalse();
    assertThat(arrivals.awaited()).containsExactly("agent-1", "agent-2");

    here.add("agent-1");
    assertThat(arrivals.settled()).isFalse();
    assertThat(arrivals.awaited()).containsExactly("agent-2");

    here.add("agent-2");
    assertThat(arrivals.settled()).isTrue();
  }

  @Test
  void anAgentThatNeverComesDoesNotKeepTheProxyUnreadyPastThePatience() {
    arrivals.caughtUp();
    here.add("agent-1");
    clock.advance(PATIENCE.minusMillis(1));
    assertThat(arrivals.settled()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(arrivals.settled()).isTrue();
  }

  @Test
  void onceSettledStaysSettledWhenAnAgentLeaves() {
    arrivals.caughtUp();
    here.addAll(elsewhere);
    assertThat(arrivals.settled()).isTrue();
    here.remove("agent-1");
    assertThat(arrivals.settled()).isTrue();
  }
}
