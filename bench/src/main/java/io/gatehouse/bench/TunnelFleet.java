package io.gatehouse.bench;

import io.gatehouse.agent.AgentConfig;
import io.gatehouse.agent.AgentCredentials;
import io.gatehouse.agent.TunnelRedial;
import io.gatehouse.config.HostPort;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.relay.Wire;
import io.gatehouse.relay.tunnel.Tunnel;
import io.gatehouse.relay.tunnel.TunnelDialer;
import io.gatehouse.relay.tunnel.TunnelSettings;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Many simulated agents in one JVM ({@code benchmarks.jar tunnel-fleet-child PROXY[,PROXY…] CA_DIR
 * [--serve R] [--threads T] [--first I] [--in-flight K]}), driven by {@link TunnelFleetProcess}:
 * each holds its own EC P-256 key and a certificate the cluster CA in {@code CA_DIR} signed here,
 * and keeps one real tunnel ({@link TunnelDialer}, the agent's own code: TLS, upgrade, HTTP/2 with
 * reversed roles, the agent's pings) to every proxy listed, as an agent does. All tunnels share one
 * Netty event loop group: a simulated agent costs a socket, an SSL engine and a few handlers per
 * proxy, not a Vert.x instance. Agents are numbered from {@code I} (default 0), so that several
 * fleet JVMs make distinct agents.
 *
 * <p>Each agent behaves on its control streams as the agent's heartbeat publisher does: it answers
 * the proxy's control stream with 200 and, with {@code --serve R}, writes R {@code serve} lines (R
 * static apps) and whatever it serves since; one of its proxies, the first whose control stream
 * opened, is told {@code {"writer":true}}, and when that stream closes the next open one is. A
 * tunnel that closes or cannot be opened is redialed after the agent's own jittered back-off
 * ({@link TunnelRedial}); every other stream is refused. The proxy set the proxies send is read and
 * dropped: the fleet dials the proxies it was given.
 *
 * <p>Stdin, one command a line, each answered with one event line on stdout:
 *
 * <ul>
 *   <li>{@code open K}: makes K more agents (credentials first, timed apart) and dials their
 *       tunnels, at most K ({@code --in-flight}, default {@value #IN_FLIGHT}) handshakes at a time;
 *       {@code {"event":"opened","agents","tunnels","failed","redials","credentialsMillis",
 *       "connectMillis"}} once each tunnel is up or failed three dials (it is redialed anyway);
 *   <li>{@code status}: {@code {"event":"status","agents","tunnels","byProxy":[tunnels up],
 *       "writers":[agents whose writer it is],"redials"}};
 *   <li>{@code serve I NAME}: agent I serves app NAME from now on, said on each of its open control
 *       streams: {@code {"event":"served","agent","streams"}};
 *   <li>{@code mark}: starts a new log of dials, {@code {"event":"marked"}}; {@code reconnects}:
 *       {@code {"event":"reconnects","byProxy":[{"up":[ms],"failed":[ms],"busy":[ms]}]}}, when, in
 *       milliseconds after the mark, a redial brought a tunnel up, failed, or was shed by a busy
 *       proxy;
 *   <li>{@code stop} or the end of stdin closes every tunnel and exits.
 * </ul>
 */
final class TunnelFleet {
  /**
   * Dials in flight: enough to keep the proxy's cores busy. More only queues handshakes on this
   * JVM's two event loops, where the pings of tunnels already up wait behind them: with 128, the
   * proxy found tunnels dead (3 s without an answer) during the first, cold burst.
   */
  private static final int IN_FLIGHT = 32;

  /** Dials an {@code open} waits for before it counts a tunnel failed; redialing goes on. */
  private static final int ATTEMPTS = 3;

  private static final Duration LIFETIME = Duration.ofDays(1);

  private final List<HostPort> proxies;
  private final ClusterCa ca;
  private final int serve;
  private final int first;
  private final int inFlight;
  private final EventLoopGroup group;
  private final SecureRandom random = new SecureRandom();
  private final List<SimulatedAgent> agents = new ArrayList<>(); // stdin thread only
  private final AtomicLong redials = new AtomicLong();
  private final DialLog log;
  private volatile boolean closing;

  private TunnelFleet(
      List<HostPort> proxies, ClusterCa ca, int serve, int threads, int first, int inFlight) {
    this.proxies = proxies;
    this.ca = ca;
    this.serve = serve;
    this.first = first;
    this.inFlight = inFlight;
    this.log = new DialLog(proxies.size());
    this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
  }

  static void main(String[] args) throws Exception {
    int serve = 0;
    int threads = 2;
    int first = 0;
    int inFlight = IN_FLIGHT;
    for (int i = 2; i < args.length; i++) {
      switch (args[i]) {
        case "--serve" -> serve = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--first" -> first = Integer.parseInt(args[++i]);
        case "--in-flight" -> inFlight = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<HostPort> proxies = Arrays.stream(args[0].split(",")).map(HostPort::parse).toList();
    TunnelFleet fleet =
        new TunnelFleet(proxies, ClusterCa.load(Path.of(args[1])), serve, threads, first, inFlight);
    Runtime.getRuntime().addShutdownHook(new Thread(fleet::close, "tunnel-fleet-stop"));
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
      String[] words = line.strip().split("\\s+");
      switch (words[0]) {
        case "open" -> fleet.open(Integer.parseInt(words[1]));
        case "status" -> emit(fleet.status().put("event", "status"));
        case "serve" -> fleet.serve(Integer.parseInt(words[1]), words[2]);
        case "mark" -> {
          fleet.log.mark();
          emit(new JsonObject().put("event", "marked"));
        }
        case "reconnects" -> emit(fleet.log.json().put("event", "reconnects"));
        default -> System.err.println("tunnel-fleet: unknown command " + line);
      }
    }
    fleet.close();
    System.exit(0);
  }

  private void open(int count) throws InterruptedException {
    int from = agents.size();
    long started = System.nanoTime();
    // Key generation and signing are the agent's join, not the proxy's cost: timed apart, and
    // done before the first dial so they do not slow the handshakes being measured.
    List<SimulatedAgent> made =
        IntStream.range(from, from + count)
            .parallel()
            .mapToObj(i -> new SimulatedAgent(first + i))
            .collect(Collectors.toCollection(ArrayList::new));
    agents.addAll(made);
    long credentials = System.nanoTime();
    Semaphore handshakes = new Semaphore(inFlight);
    List<CompletableFuture<Boolean>> results = new ArrayList<>();
    for (SimulatedAgent agent : made) {
      for (Link link : agent.links) {
        handshakes.acquire();
        CompletableFuture<Boolean> result = link.start();
        result.whenComplete((ok, e) -> handshakes.release());
        results.add(result);
      }
    }
    long failed = results.stream().filter(r -> !r.join()).count();
    long connected = System.nanoTime();
    emit(
        new JsonObject()
            .put("event", "opened")
            .put("agents", agents.size())
            .put("tunnels", status().getLong("tunnels"))
            .put("failed", failed)
            .put("redials", redials.get())
            .put("credentialsMillis", (credentials - started) / 1e6)
            .put("connectMillis", (connected - credentials) / 1e6));
  }

  private JsonObject status() {
    long[] up = new long[proxies.size()];
    long[] writers = new long[proxies.size()];
    for (SimulatedAgent agent : agents) {
      for (Link link : agent.links) {
        up[link.proxy] += link.isUp() ? 1 : 0;
      }
      int writer = agent.writer();
      if (writer >= 0) {
        writers[writer]++;
      }
    }
    return new JsonObject()
        .put("agents", agents.size())
        .put("tunnels", Arrays.stream(up).sum())
        .put("byProxy", new JsonArray(Arrays.stream(up).boxed().toList()))
        .put("writers", new JsonArray(Arrays.stream(writers).boxed().toList()))
        .put("redials", redials.get());
  }

  private void serve(int index, String name) {
    SimulatedAgent agent = agents.get(index - first);
    emit(
        new JsonObject()
            .put("event", "served")
            .put("agent", agent.id)
            .put("streams", agent.serve(name)));
  }

  /** One simulated agent: its credentials, its tunnels, what it serves and which proxy writes. */
  private final class SimulatedAgent {
    private final int index;
    private final String id;
    private final TunnelDialer dialer;
    private final List<Link> links;
    private final List<String> served = new ArrayList<>(); // guarded by this
    private Link writer; // guarded by this

    SimulatedAgent(int index) {
      this.index = index;
      this.id = "fleet-agent-" + index;
      AgentCredentials credentials =
          AgentCredentials.issue(ca, id, Set.of("app"), LIFETIME, random);
      this.dialer =
          new TunnelDialer(
              group,
              NioSocketChannel::new,
              credentials.clientContext(),
              TunnelSettings.DEFAULTS,
              AgentConfig.Relay.DEFAULT.connectTimeout());
      this.links = IntStream.range(0, proxies.size()).mapToObj(p -> new Link(this, p)).toList();
      for (int r = 0; r < serve; r++) {
        served.add("fleet-" + index + "-" + r);
      }
    }

    /** A control stream opened: it hears everything served, and is the writer if none is. */
    synchronized void opened(Link link, Channel control) {
      link.control = control;
      StringBuilder lines = new StringBuilder();
      served.forEach(name -> lines.append(serveLine(name)));
      if (writer == null) {
        writer = link;
        lines.append("{\"writer\":true}\n");
      }
      write(control, lines);
    }

    /** A control stream closed: the next open one becomes the writer, as with a real agent. */
    synchronized void closed(Link link, Channel control) {
      if (link.control != control) {
        return;
      }
      link.control = null;
      if (writer != link) {
        return;
      }
      writer = links.stream().filter(l -> l.control != null).findFirst().orElse(null);
      if (writer != null) {
        write(writer.control, new StringBuilder("{\"writer\":true}\n"));
      }
    }

    /** Serves app {@code name} from now on; returns the control streams told at once. */
    synchronized int serve(String name) {
      served.add(name);
      int told = 0;
      for (Link link : links) {
        if (link.control != null) {
          write(link.control, new StringBuilder(serveLine(name)));
          told++;
        }
      }
      return told;
    }

    synchronized int writer() {
      return writer == null ? -1 : writer.proxy;
    }

    private String serveLine(String name) {
      return String.format(
          Locale.ROOT,
          "{\"serve\":{\"agent\":\"%s\",\"kind\":\"app\",\"name\":\"%s\",\"labels\":{},"
              + "\"uri\":\"http://127.0.0.1:9\",\"origin\":\"static\"}}\n",
          id,
          name);
    }

    private void write(Channel control, StringBuilder lines) {
      control.writeAndFlush(
          new DefaultHttpContent(Unpooled.copiedBuffer(lines, StandardCharsets.UTF_8)));
    }
  }

  /** One agent's tunnel to one proxy, redialed with the agent's back-off until the fleet stops. */
  private final class Link {
    private final SimulatedAgent agent;
    private final int proxy;
    private final TunnelRedial redial = new TunnelRedial(random);
    private final CompletableFuture<Boolean> firstUp = new CompletableFuture<>();
    private volatile Tunnel tunnel;
    private volatile Channel control;
    private int failures; // guarded by this

    Link(SimulatedAgent agent, int proxy) {
      this.agent = agent;
      this.proxy = proxy;
    }

    boolean isUp() {
      Tunnel t = tunnel;
      return t != null && t.isOpen();
    }

    /** Dials; completes with true at the first tunnel, false after {@value #ATTEMPTS} failures. */
    CompletableFuture<Boolean> start() {
      dial();
      return firstUp;
    }

    private void dial() {
      if (closing) {
        return;
      }
      agent
          .dialer
          .dial(
              proxies.get(proxy),
              agent.id,
              certificate -> {},
              stream -> stream.pipeline().addLast(codec(), new ControlAnswer(this)))
          .whenComplete(
              (t, error) -> {
                if (error == null) {
                  up(t);
                } else {
                  failed(error);
                }
              });
    }

    private void up(Tunnel t) {
      synchronized (this) {
        redial.reset();
      }
      tunnel = t;
      if (firstUp.isDone()) {
        log.up(proxy);
      }
      firstUp.complete(true);
      t.onClose(
          () -> {
            if (!closing) {
              redials.incrementAndGet();
              retry(null);
            }
          });
      if (closing) {
        t.close();
      }
    }

    private void failed(Throwable error) {
      if (firstUp.isDone()) {
        log.failed(proxy, TunnelRedial.isBusy(error));
      } else {
        int failed;
        synchronized (this) {
          failed = ++failures;
        }
        if (failed >= ATTEMPTS) {
          System.err.println("tunnel-fleet: " + agent.id + ": " + error.getMessage());
          firstUp.complete(false);
        }
      }
      retry(error);
    }

    private void retry(Throwable error) {
      if (closing) {
        return;
      }
      long pause;
      synchronized (this) {
        pause = redial.next(error).toMillis();
      }
      group.schedule(this::dial, pause, TimeUnit.MILLISECONDS);
    }

    void close() {
      Tunnel t = tunnel;
      if (t != null) {
        t.close();
      }
    }
  }

  private static Http2StreamFrameToHttpObjectCodec codec() {
    return new Http2StreamFrameToHttpObjectCodec(true);
  }

  /** Answers the proxy's control stream as the agent's relay does; refuses any other stream. */
  private static final class ControlAnswer extends ChannelInboundHandlerAdapter {
    private final Link link;

    ControlAnswer(Link link) {
      this.link = link;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpRequest request) {
          if (!request.uri().equals(Wire.CONTROL_PATH)) {
            HttpResponse refused =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND);
            ctx.writeAndFlush(refused);
            return;
          }
          HttpResponse ok = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
          ok.headers().set(Wire.AGENT, link.agent.id);
          ctx.writeAndFlush(ok);
          Channel control = ctx.channel();
          link.agent.opened(link, control);
          control.closeFuture().addListener(f -> link.agent.closed(link, control));
        }
        // The proxy set and anything else the proxy sends: read and dropped.
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** When redials brought tunnels up or failed, per proxy, since the last mark. Thread-safe. */
  private static final class DialLog {
    private final List<List<Long>> up = new ArrayList<>();
    private final List<List<Long>> failed = new ArrayList<>();
    private final List<List<Long>> busy = new ArrayList<>();
    private long mark = System.nanoTime();

    DialLog(int proxies) {
      for (int p = 0; p < proxies; p++) {
        up.add(new ArrayList<>());
        failed.add(new ArrayList<>());
        busy.add(new ArrayList<>());
      }
    }

    synchronized void mark() {
      mark = System.nanoTime();
      up.forEach(List::clear);
      failed.forEach(List::clear);
      busy.forEach(List::clear);
    }

    synchronized void up(int proxy) {
      up.get(proxy).add(System.nanoTime() - mark);
    }

    /** A dial failed; {@code shed} when the proxy said it was busy. */
    synchronized void failed(int proxy, boolean shed) {
      (shed ? busy : failed).get(proxy).add(System.nanoTime() - mark);
    }

    synchronized JsonObject json() {
      JsonArray byProxy = new JsonArray();
      for (int p = 0; p < up.size(); p++) {
        byProxy.add(
            new JsonObject()
                .put("up", millis(up.get(p)))
                .put("failed", millis(failed.get(p)))
                .put("busy", millis(busy.get(p))));
      }
      return new JsonObject().put("byProxy", byProxy);
    }

    private static JsonArray millis(List<Long> nanos) {
      return new JsonArray(nanos.stream().map(n -> n / 1_000_000).toList());
    }
  }

  private void close() {
    closing = true;
    agents.forEach(a -> a.links.forEach(Link::close));
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static void emit(JsonObject event) {
    // The event name first: the driver picks lines out by their start.
    JsonObject ordered = new JsonObject().put("event", event.getString("event"));
    event.forEach(e -> ordered.put(e.getKey(), e.getValue()));
    System.out.println(ordered.encode());
    System.out.flush();
  }
}
