package io.gatehouse.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerTimingTest {
  @Test
  void aMetricIsWrittenInMillisecondsWithOneDecimal() {
    assertThat(ServerTiming.of("hash", 12_345_678)).isEqualTo("hash;dur=12.3");
  }

  @Test
  void theDurationOfOneMetricIsReadAmongOthers() {
    assertThat(ServerTiming.duration("db;desc=\"x\";dur=3, hash;dur=12.3", "hash")).hasValue(12.3);
    assertThat(ServerTiming.duration("hash;dur=\"7\"", "hash")).hasValue(7);
  }

  @Test
  void aMissingHeaderMetricOrDurationIsEmpty() {
    assertThat(ServerTiming.duration(null, "hash")).isEmpty();
    assertThat(ServerTiming.duration("db;dur=3", "hash")).isEmpty();
    assertThat(ServerTiming.duration("hash;desc=x", "hash")).isEmpty();
  }
}
