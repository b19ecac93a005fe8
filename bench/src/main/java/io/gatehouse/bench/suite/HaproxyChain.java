package io.gatehouse.bench.suite;

import io.gatehouse.bench.CaDir;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.Pem;
import io.gatehouse.pki.TlsContexts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * The peer baseline: HAProxy from Debian in Gatehouse's shape, one HAProxy as the proxy tier and
 * two as agents, each agent in front of the same upstreams. The proxy tier balances HTTP at random
 * with a sticky cookie ({@code GHSRV}, inserted on a new session, the analogue of Gatehouse's pin)
 * and relays TCP to the first agent. Two threads per HAProxy (one per core).
 *
 * <p>TLS where Gatehouse has it, so the comparison stays fair: users reach the proxy tier over TLS
 * ({@code bind … ssl crt}), and the inner hop is mutual TLS as Gatehouse's tunnels are (the agents'
 * frontends {@code ssl crt … ca-file … verify required}, the proxy's servers {@code ssl verify
 * required ca-file … crt …}), every certificate from the run's cluster CA. The agent-to-upstream
 * hop stays plain in both chains.
 */
final class HaproxyChain implements AutoCloseable {
  final int httpPort = Ports.free();
  final int sinkPort = Ports.free();
  final int echoPort = Ports.free();
  final Child proxy;
  final List<Child> agents = new ArrayList<>();
  private final SSLContext tls;

  private HaproxyChain(Path work, ClusterCa ca, int nginxPort, int upstreamSink, int upstreamEcho)
      throws IOException {
    Path dir = Files.createDirectories(work.resolve("haproxy"));
    tls = TlsContexts.trusting(ca.certificate());
    Path caFile = dir.resolve("ca.crt");
    Files.writeString(caFile, Pem.certificates(List.of(ca.certificate())));
    // The proxy tier's certificate serves users and, as a client certificate, dials the agents.
    String proxyPem = CaDir.serverPem(ca, "haproxy-proxy", dir.resolve("proxy.pem")).toString();
    String toAgent = " ssl verify required ca-file " + caFile + " crt " + proxyPem;
    List<int[]> agentPorts = new ArrayList<>();
    for (int i = 1; i <= 2; i++) {
      int[] ports = {Ports.free(), Ports.free(), Ports.free()};
      agentPorts.add(ports);
      String fromProxy =
          " ssl crt "
              + CaDir.serverPem(ca, "haproxy-agent-" + i, dir.resolve("agent-" + i + ".pem"))
              + " ca-file "
              + caFile
              + " verify required";
      agents.add(
          start(
              "haproxy-agent-" + i,
              work,
              dir.resolve("agent-" + i + ".cfg"),
              http(
                  ports[0],
                  fromProxy,
                  "upstream",
                  "  http-reuse always",
                  "  server nginx 127.0.0.1:" + nginxPort),
              tcp("sink", ports[1], fromProxy, List.of("127.0.0.1:" + upstreamSink)),
              tcp("echo", ports[2], fromProxy, List.of("127.0.0.1:" + upstreamEcho))));
    }
    proxy =
        start(
            "haproxy-proxy",
            work,
            dir.resolve("proxy.cfg"),
            http(
                httpPort,
                " ssl crt " + proxyPem + " alpn http/1.1",
                "agents",
                "  balance random",
                "  http-reuse always",
                "  cookie GHSRV insert indirect nocache",
                "  server a1 127.0.0.1:" + agentPorts.get(0)[0] + toAgent + " cookie a1",
                "  server a2 127.0.0.1:" + agentPorts.get(1)[0] + toAgent + " cookie a2"),
            tcp(
                "sink",
                sinkPort,
                " ssl crt " + proxyPem,
                List.of("127.0.0.1:" + agentPorts.get(0)[1] + toAgent)),
            tcp(
                "echo",
                echoPort,
                " ssl crt " + proxyPem,
                List.of("127.0.0.1:" + agentPorts.get(0)[2] + toAgent)));
    Waits.until(
        "the HAProxy chain to answer",
        Duration.ofSeconds(10),
        () -> {
          for (Child c : List.of(proxy, agents.get(0), agents.get(1))) {
            c.requireAlive();
          }
          return RawHttp.get(httpPort, tls, "127.0.0.1", "/small", null).status() == 200;
        });
  }

  static HaproxyChain start(Path work, ClusterCa ca, int nginxPort, int sinkPort, int echoPort)
      throws IOException {
    return new HaproxyChain(work, ca, nginxPort, sinkPort, echoPort);
  }

  /** TLS trusting the CA the chain's certificates come from, for its users' clients. */
  SSLContext tls() {
    return tls;
  }

  private static final String GLOBAL =
      String.join(
          "\n",
          "global",
          "  nbthread 2",
          "  maxconn 4096",
          "defaults",
          "  timeout connect 5s",
          "  timeout client 120s",
          "  timeout server 120s",
          "  timeout tunnel 120s",
          "  option http-keep-alive");

  /**
   * The HTTP frontend {@code web} on {@code port}, and its backend: HTTP mode, then {@code lines}.
   */
  private static String http(int port, String bindTls, String backend, String... lines) {
    List<String> section =
        new ArrayList<>(
            List.of(
                "frontend web",
                "  mode http",
                "  bind 127.0.0.1:" + port + bindTls,
                "  default_backend " + backend,
                "backend " + backend,
                "  mode http"));
    section.addAll(List.of(lines));
    return String.join("\n", section);
  }

  private static String tcp(String name, int port, String bindTls, List<String> servers) {
    StringBuilder b =
        new StringBuilder(
            "frontend "
                + name
                + "\n  mode tcp\n  bind 127.0.0.1:"
                + port
                + bindTls
                + "\n  default_backend "
                + name
                + "-servers\n");
    b.append("backend ").append(name).append("-servers\n  mode tcp\n");
    for (int i = 0; i < servers.size(); i++) {
      b.append("  server s").append(i).append(' ').append(servers.get(i)).append('\n');
    }
    return b.toString();
  }

  /**
   * Writes {@code conf}, the global section and then {@code sections}, and starts HAProxy on it.
   */
  private static Child start(String name, Path work, Path conf, String... sections)
      throws IOException {
    Files.writeString(conf, GLOBAL + "\n" + String.join("\n", sections) + "\n");
    return Child.start(name, work, List.of("haproxy", "-db", "-f", conf.toString()));
  }

  @Override
  public void close() {
    proxy.close();
    agents.forEach(Child::close);
  }
}
