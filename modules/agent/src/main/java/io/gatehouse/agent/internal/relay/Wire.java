package io.gatehouse.agent.internal.relay;

import java.util.regex.Pattern;

/** Names of the proxy-agent wire protocol v1 ({@code docs/wire-protocol.md}). */
public final class Wire {
  public static final String RESOURCE = "Gatehouse-Resource";
  public static final String SESSION = "Gatehouse-Session";
  public static final String PROXY = "Gatehouse-Proxy";
  public static final String USER = "Gatehouse-User";
  public static final String AGENT = "Gatehouse-Agent";
  public static final String ERROR = "Gatehouse-Error";
  /** Every header of the protocol starts with this; none reaches an upstream. */
  public static final String PREFIX = "gatehouse-";

  public static final String TUNNEL_PATH = "/.gatehouse/tunnel";
  public static final String HEALTH_PATH = "/.gatehouse/health";
  public static final String TUNNEL_PROTOCOL = "gatehouse-tunnel/1";

  static final Pattern SESSION_ID = Pattern.compile("[0-9a-fA-F]{32}");
  static final Pattern PROXY_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private Wire() {}
}
