package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.Agent;
import io.gatehouse.agent.AgentConfig;
import io.gatehouse.agent.AgentCredentials;
import io.gatehouse.config.HostPort;
import io.gatehouse.testkit.Eventually;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An agent that dials a load balancer in front of a proxy reaches that proxy by two addresses: the
 * balancer's and the one the proxy announces. It keeps exactly one tunnel to it, even after both
 * addresses were connected once and redial — the case that made two links take the proxy from each
 * other in turn, every few hundred milliseconds, in the chaos suite (each flap ending the tunnel's
 * sessions).
 */
class BalancedAgentLinksIT {
  @RegisterExtension static final Cluster cluster = new Cluster();

  private Forwarder balancer;

  @AfterEach
  void stopBalancer() {
    if (balancer != null) {
      balancer.stop();
    }
  }

  @Test
  void anAgentKeepsOneSteadyTunnelToAProxyItReachesThroughABalancerAndDirectly() throws Exception {
    HostPort a = cluster.proxy("proxy-balanced-a").webAddress();
    HostPort b = cluster.proxy("proxy-balanced-b").webAddress();
    balancer = Forwarder.start(a);
    Agent agent = agentThrough(balancer.address());
    // Through the balancer to a; b learned from a's proxy set.
    Eventually.within(Cluster.WAIT)
        .untilAsserted(
            () ->
                assertThat(agent.connectedProxies())
                    .containsExactlyInAnyOrder(balancer.address(), b));

    // The balancer goes away, and a new proxy makes the others send their set again: the agent now
    // dials a at the address it announces.
    balancer.stop();
    HostPort c = cluster.proxy("proxy-balanced-c").webAddress();
    Eventually.within(Cluster.WAIT)
        .untilAsserted(
            () -> assertThat(agent.connectedProxies()).containsExactlyInAnyOrder(a, b, c));

    // The balancer is back: its link redials and reaches a, which the agent has a tunnel to.
    balancer = Forwarder.start(balancer.address(), a);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
    List<Set<HostPort>> seen = new ArrayList<>();
    while (System.nanoTime() < end) {
      Set<HostPort> now = agent.connectedProxies();
      if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(now)) {
        seen.add(now);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    assertThat(seen)
        .as("the agent's tunnels while the balancer's link redials")
        .containsExactly(Set.of(a, b, c));
  }

  private static Agent agentThrough(HostPort address) {
    String id = "agent-balanced";
    Path dir = cluster.agentDir(id);
    AgentCredentials.issue(cluster.ca(), id, Set.of("app"), Duration.ofHours(1), new SecureRandom())
        .write(dir);
    String yaml =
        """
        agent:
          id: %s
          proxy: "%s"
          data_dir: "%s"
        app_service: { enabled: true, apps: [ { name: balanced, uri: "http://127.0.0.1:9" } ] }
        """
            .formatted(id, address, dir);
    return cluster.adopt(Agent.start(AgentConfig.parse(yaml, id + ".yaml")));
  }

  /** A TCP load balancer with one backend: each connection piped to {@code backend}. */
  private static final class Forwarder {
    private final ServerSocket server;
    private final HostPort backend;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private Forwarder(ServerSocket server, HostPort backend) {
      this.server = server;
      this.backend = backend;
      Thread accept = new Thread(this::accept, "forwarder-" + server.getLocalPort());
      accept.setDaemon(true);
      accept.start();
    }

    static Forwarder start(HostPort backend) throws IOException {
      return new Forwarder(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), backend);
    }

    static Forwarder start(HostPort at, HostPort backend) throws IOException {
      ServerSocket server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), at.port()), 50);
      return new Forwarder(server, backend);
    }

    HostPort address() {
      return new HostPort("127.0.0.1", server.getLocalPort());
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          Socket upstream = new Socket(backend.host(), backend.port());
          sockets.add(client);
          sockets.add(upstream);
          pipe(client, upstream);
          pipe(upstream, client);
        } catch (IOException e) {
          return;
        }
      }
    }

    private void pipe(Socket from, Socket to) {
      Thread t =
          new Thread(
              () -> {
                try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                  in.transferTo(out);
                } catch (IOException ignored) {
                  // One side closed: close both below.
                } finally {
                  closeQuietly(from);
                  closeQuietly(to);
                }
              },
              "forwarder-pipe");
      t.setDaemon(true);
      t.start();
    }

    void stop() {
      closeQuietly(server);
      sockets.forEach(Forwarder::closeQuietly);
      sockets.clear();
    }

    private static void closeQuietly(java.io.Closeable c) {
      try {
        c.close();
      } catch (IOException ignored) {
        // Closing is all that is asked.
      }
    }
  }
}
