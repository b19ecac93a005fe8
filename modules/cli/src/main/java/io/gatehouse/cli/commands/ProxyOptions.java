package io.gatehouse.cli.commands;

import io.gatehouse.cli.client.ProxyClient;
import picocli.CommandLine.Option;

/** {@code --proxy URL}, else {@code GATEHOUSE_PROXY}, else {@code http://localhost:3080}. */
public final class ProxyOptions {
  public static final String DEFAULT = "http://localhost:3080";

  @Option(
      names = "--proxy",
      paramLabel = "URL",
      description = "Proxy web address (default: $GATEHOUSE_PROXY, else " + DEFAULT + ").")
  String proxy;

  public String url() {
    if (proxy != null && !proxy.isBlank()) {
      return proxy;
    }
    String env = System.getenv("GATEHOUSE_PROXY");
    return env == null || env.isBlank() ? DEFAULT : env;
  }

  public ProxyClient client() {
    return new ProxyClient(url());
  }
}
