package io.gatehouse.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {
  @Test
  void everyCodeRoundTripsFromItsString() {
    for (ErrorCode code : ErrorCode.values()) {
      assertThat(ErrorCode.parse(code.code())).contains(code);
    }
  }

  @Test
  void unknownOrMissingCodesParseToNothing() {
    assertThat(ErrorCode.parse("spoofed")).isEmpty();
    assertThat(ErrorCode.parse("Not-Serving")).isEmpty();
    assertThat(ErrorCode.parse(null)).isEmpty();
  }

  @Test
  void retryableCodesAreTheOnesAfterWhichAnotherAgentMaySucceed() {
    // The wire protocol's RETRYABLE_CODES before they became a property of the code.
    assertThat(
            Arrays.stream(ErrorCode.values())
                .filter(ErrorCode::retryable)
                .map(ErrorCode::code)
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(
            "not-serving", "draining", "upstream-refused", "upstream-timeout");
  }

  @Test
  void statusesAreTheOnesUsersAndProxiesSeeToday() {
    Map<String, Integer> statuses =
        Arrays.stream(ErrorCode.values())
            .collect(Collectors.toMap(ErrorCode::code, ErrorCode::status));
    assertThat(statuses)
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                Map.entry("bad-request", 400),
                Map.entry("not-serving", 421),
                Map.entry("draining", 503),
                Map.entry("upstream-refused", 502),
                Map.entry("upstream-timeout", 504),
                Map.entry("unknown-resource", 404),
                Map.entry("no-alive-agent", 503),
                Map.entry("all-agents-failed", 502),
                Map.entry("target-down", 503),
                Map.entry("agent-failed", 502),
                Map.entry("invalid-document", 400),
                Map.entry("not-found", 404),
                Map.entry("static-resource", 409),
                Map.entry("too-large", 413),
                Map.entry("kafka-unavailable", 503),
                Map.entry("join-refused", 403),
                Map.entry("unauthenticated", 401),
                Map.entry("access-denied", 403),
                Map.entry("rate-limited", 429),
                Map.entry("unsupported-media-type", 415),
                Map.entry("version-mismatch", 412),
                Map.entry("exists", 409),
                Map.entry("misdirected", 421),
                Map.entry("overloaded", 503),
                Map.entry("sso-unavailable", 503),
                Map.entry("loop-detected", 508),
                Map.entry("agent-elsewhere", 409),
                Map.entry("drain-unconfirmed", 504),
                Map.entry("lane-refused", 409),
                Map.entry("internal", 500)));
  }
}
