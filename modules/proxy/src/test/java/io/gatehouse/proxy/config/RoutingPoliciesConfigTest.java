package io.gatehouse.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.config.ConfigException;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.proxy.routing.RoutingPolicies;
import io.gatehouse.proxy.routing.RoutingPolicy;
import org.junit.jupiter.api.Test;

class RoutingPoliciesConfigTest {
  private static final ResourceRef ORDERS = new ResourceRef(ResourceKind.DB, "orders");
  private static final ResourceRef PG = new ResourceRef(ResourceKind.DB, "pg");
  private static final ResourceRef SHOP = new ResourceRef(ResourceKind.APP, "shop");

  private static RoutingPolicies read(String proxySection) {
    return ProxyConfig.parse("proxy:\n" + proxySection.indent(2), "proxy.yaml").routing();
  }

  @Test
  void everyResourceIsRandomInNoZoneByDefault() {
    RoutingPolicies p = read("{}");
    assertThat(p.zone()).isEmpty();
    assertThat(p.of(ORDERS)).isEqualTo(RoutingPolicy.RANDOM);
    assertThat(p.of(SHOP)).isEqualTo(RoutingPolicy.RANDOM);
  }

  @Test
  void aResourcesOwnPolicyWinsOverItsKindsWhichWinsOverTheDefault() {
    RoutingPolicies p =
        read(
            """
            zone: eu-west-1a
            routing:
              policy: same-zone-first
              kind_policy: { db: least-sessions }
              resource_policy: { db/orders: random }
            """);
    assertThat(p.zone()).contains("eu-west-1a");
    assertThat(p.of(ORDERS)).isEqualTo(RoutingPolicy.RANDOM);
    assertThat(p.of(PG)).isEqualTo(RoutingPolicy.LEAST_SESSIONS);
    assertThat(p.of(SHOP)).isEqualTo(RoutingPolicy.SAME_ZONE_FIRST);
  }

  @Test
  void badPoliciesKindsResourcesAndZonesAreReportedAtTheirKeys() {
    assertThatThrownBy(
            () ->
                read(
                    """
                    zone: "eu 1"
                    routing:
                      policy: fastest
                      kind_policy: { database: random, app: nearest }
                      resource_policy: { orders: random, db/Bad_Name: random }
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.yaml: proxy.zone: invalid zone 'eu 1'")
        .hasMessageContaining(
            "proxy.yaml: proxy.routing.policy: unknown policy 'fastest'; expected random,"
                + " same-zone-first or least-sessions")
        .hasMessageContaining(
            "proxy.yaml: proxy.routing.kind_policy.database: unknown resource kind")
        .hasMessageContaining("proxy.yaml: proxy.routing.kind_policy.app: unknown policy 'nearest'")
        .hasMessageContaining(
            "proxy.yaml: proxy.routing.resource_policy.orders: expected a resource as kind/name")
        .hasMessageContaining("proxy.yaml: proxy.routing.resource_policy.db/Bad_Name: expected");
  }

  @Test
  void sameZoneFirstWithoutTheProxysZoneIsRefusedWhereverItIsAsked() {
    assertThatThrownBy(
            () ->
                read(
                    """
                    routing:
                      policy: same-zone-first
                      kind_policy: { app: same-zone-first }
                      resource_policy: { db/pg: same-zone-first }
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "proxy.yaml: proxy.routing.policy: same-zone-first prefers the agents in this proxy's"
                + " zone: set proxy.zone")
        .hasMessageContaining("proxy.yaml: proxy.routing.kind_policy.app: same-zone-first")
        .hasMessageContaining("proxy.yaml: proxy.routing.resource_policy.db/pg: same-zone-first");
  }
}
