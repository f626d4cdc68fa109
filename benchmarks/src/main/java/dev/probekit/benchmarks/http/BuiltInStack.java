package dev.probekit.benchmarks.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.internal.HttpAnswer;
import dev.probekit.core.internal.NioHttpServer;
import dev.probekit.core.internal.ServerLimits;
import dev.probekit.core.server.ProbeServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The built-in {@link ProbeServer} (its own {@code java.nio} loop on one thread), against the same
 * loop ({@link NioHttpServer}, same limits and backlog) answering a constant {@code ok} with the
 * same headers from pre-rendered bytes: the physical limit of that loop. The JDK httpserver
 * helpers below serve the overload scenario's application and the {@link JdkHttpServerStack}
 * baseline.
 */
final class BuiltInStack implements Stack, ServerCpu {
  private static final byte[] OK = "ok".getBytes(StandardCharsets.UTF_8);

  private final HealthRegistry health;
  private final ProbeServer probeServer;
  private final NioHttpServer okServer;

  BuiltInStack() {
    this(true);
  }

  /** @param okTwin whether to start the constant-{@code ok} loop (not when counting threads) */
  BuiltInStack(boolean okTwin) {
    health = readyHealth();
    probeServer =
        ProbeServer.builder(ProbeEndpoints.of(health))
            .port(0)
            .bindAddress(InetAddress.getLoopbackAddress())
            .start();
    okServer = okTwin ? constantOkLoop() : null;
  }

  /** The NIO loop of ProbeServer, with its default limits, answering {@code ok} at every path. */
  static NioHttpServer constantOkLoop() {
    HttpAnswer ok = HttpAnswer.text(200, "ok");
    try {
      return NioHttpServer.start(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
          ProbeServer.DEFAULT_BACKLOG,
          new ServerLimits(
              ProbeServer.DEFAULT_HEAD_DEADLINE,
              ProbeServer.DEFAULT_IDLE_TIMEOUT,
              ProbeServer.DEFAULT_MAX_CONNECTIONS),
          () -> false,
          request -> ok,
          "constant-ok-loop");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A HealthRegistry with one instant READINESS check, waited on until it is UP. */
  static HealthRegistry readyHealth() {
    HealthRegistry health = HealthRegistry.builder().build();
    health.register("fast", CheckResult::up, CheckOptions.of(Probe.READINESS));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!health.snapshot(Probe.READINESS).isUp()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("readiness not UP");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    return health;
  }

  static ExecutorService fixedPool(int threads) {
    return new ThreadPoolExecutor(
        threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
  }

  /** A JDK HttpServer like ProbeServer's (backlog 64) answering {@code ok} at every path. */
  static HttpServer constantOkServer(ExecutorService executor) {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      server.setExecutor(executor);
      server.createContext("/", BuiltInStack::answerOk);
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void answerOk(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      exchange.sendResponseHeaders(200, OK.length);
      try (OutputStream body = exchange.getResponseBody()) {
        body.write(OK);
      }
    }
  }

  @Override
  public Thread probeThread() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(ProbeServer.THREAD_NAME))
        .findFirst()
        .orElseThrow();
  }

  @Override
  public Thread okThread() {
    return okServer.thread();
  }

  @Override
  public String name() {
    return "built-in ProbeServer (NIO, 1 thread)";
  }

  @Override
  public InetSocketAddress probeAddress() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), probeServer.port());
  }

  @Override
  public String probePath() {
    return "/readyz";
  }

  @Override
  public InetSocketAddress okAddress() {
    return okServer.address();
  }

  @Override
  public String okPath() {
    return "/ok";
  }

  @Override
  public void close() {
    probeServer.close();
    if (okServer != null) {
      okServer.close();
    }
    health.close();
  }
}
