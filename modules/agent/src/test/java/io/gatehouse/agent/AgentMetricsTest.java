package io.gatehouse.agent;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The metrics port is checked before the agent reaches for Kafka. */
class AgentMetricsTest {
  @Test
  void aMetricsPortNeedsAPrometheusRegistry() {
    AgentConfig config =
        AgentConfig.parse(
            "agent: { id: a, proxy: '127.0.0.1:1'," + " metrics: { listen: '127.0.0.1:0' } }\n",
            "a.yaml");

    assertThatThrownBy(() -> Agent.builder(config).meterRegistry(new SimpleMeterRegistry()).start())
        .isInstanceOf(AgentException.class)
        .hasMessage(
            "agent a cannot serve agent.metrics.listen: its meter registry is a SimpleMeterRegistry, not a PrometheusMeterRegistry");
  }
}
