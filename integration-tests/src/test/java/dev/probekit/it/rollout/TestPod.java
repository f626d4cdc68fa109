package dev.probekit.it.rollout;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.Health;
import dev.probekit.core.InflightTracker;
import dev.probekit.core.Lifecycle;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.ProbeServer;
import dev.probekit.core.internal.Durations;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small service run as a "pod" in a child JVM by {@link RollingUpdateIT}, shaped like the demo
 * (examples' DemoService): an application server ({@code GET /}, {@code GET /work?ms=N}) that
 * counts into the lifecycle's {@link InflightTracker} and adds {@code Connection: close} while
 * draining, the built-in {@link ProbeServer} on its own port, and the {@link Lifecycle} on SIGTERM.
 *
 * <p>System properties: {@code probekit.demo.port}, {@code probekit.probe.port} (0 = random),
 * {@code probekit.shutdown.pre-stop-delay}, {@code drain-timeout}, {@code grace-period},
 * {@code testpod.startup-delay} (startup probe DOWN until then) and {@code testpod.drain}
 * ({@code false}: no signal handler, so SIGTERM kills the JVM at once: the negative control).
 * Prints {@code PORTS app=<port> probe=<port>} once both servers listen.
 */
public final class TestPod {
  private TestPod() {}

  public static void main(String[] args) throws IOException {
    Duration startupDelay = Durations.parse(System.getProperty("testpod.startup-delay", "300ms"));
    boolean drain = Boolean.parseBoolean(System.getProperty("testpod.drain", "true"));
    long startedAt = System.nanoTime();

    Health health = Health.builder().build();
    health.register("ping", CheckResult::up, CheckOptions.of(Probe.LIVENESS, Probe.READINESS));
    health.register(
        "warm-up",
        () -> System.nanoTime() - startedAt >= startupDelay.toNanos()
            ? CheckResult.up()
            : CheckResult.down("warming up"),
        CheckOptions.builder(Probe.STARTUP).intervalMillis(100).build());
    Lifecycle lifecycle =
        Lifecycle.builder(health)
            .preStopDelay(setting("probekit.shutdown.pre-stop-delay", "3500ms"))
            .drainTimeout(setting("probekit.shutdown.drain-timeout", "5s"))
            .gracePeriod(setting("probekit.shutdown.grace-period", "12s"))
            .safetyMargin(Duration.ofSeconds(1))
            .build();
    InflightTracker inflight = lifecycle.inflight();

    ProbeServer probes =
        ProbeServer.builder(ProbeEndpoints.of(health))
            .bindAddress(InetAddress.getLoopbackAddress())
            .port(Integer.getInteger("probekit.probe.port", 8081))
            .closeConnections(lifecycle::isDraining)
            .start();

    HttpServer app =
        HttpServer.create(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.getInteger("probekit.demo.port", 8080)),
            128);
    ExecutorService workers = Executors.newFixedThreadPool(16);
    app.setExecutor(workers);
    app.createContext("/", exchange -> serve(exchange, inflight, lifecycle));
    app.start();

    // Registered first so they run last: the probe server answers until the very end.
    lifecycle.addShutdownTask("probe-server", probes::close);
    lifecycle.addShutdownTask("app-workers", workers::shutdown);
    lifecycle.onStopAccepting(
        "app-server",
        () -> {
          // HttpServer.stop closes the listener at once, then waits for exchanges in progress (on
          // JDK 17 it was seen to wait its whole delay even when none was left). The lifecycle's
          // drain does the waiting on the in-flight count, so stop runs aside on a daemon thread
          // that the exit after the drain simply ends.
          Thread stopper = new Thread(() -> app.stop(5), "app-server-stop");
          stopper.setDaemon(true);
          stopper.start();
        });
    if (drain) {
      lifecycle.installSignalHandler();
    }
    System.out.println("PORTS app=" + app.getAddress().getPort() + " probe=" + probes.port() + " drain=" + drain);
    System.out.flush();
  }

  private static void serve(HttpExchange exchange, InflightTracker inflight, Lifecycle lifecycle)
      throws IOException {
    inflight.enter();
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      String query = exchange.getRequestURI().getRawQuery();
      long ms = 0;
      if (query != null && query.startsWith("ms=")) {
        ms = Math.min(10_000, Long.parseLong(query.substring(3)));
      }
      if (ms > 0) {
        try {
          Thread.sleep(ms); // simulated work of the requested length
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (lifecycle.isDraining()) {
        exchange.getResponseHeaders().set("Connection", "close");
      }
      byte[] body = ("worked " + ms + "ms\n").getBytes(StandardCharsets.US_ASCII);
      exchange.getResponseHeaders().set("Content-Type", "text/plain");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    } finally {
      inflight.exit();
    }
  }

  private static Duration setting(String key, String fallback) {
    return Durations.parse(System.getProperty(key, fallback));
  }
}
