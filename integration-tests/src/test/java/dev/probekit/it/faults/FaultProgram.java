package dev.probekit.it.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.InflightTracker;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.server.ProbeServer;
import dev.probekit.core.waits.DependencyWaitException;
import dev.probekit.core.waits.Waits;
import dev.probekit.examples.DemoService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small service run in a child JVM by {@link FaultInjectionTest}: a probe server with {@code
 * /prestop}, an application server whose {@code /work?ms=N} stays in flight for N ms, the
 * lifecycle's signal handler, and one fault injected into the shutdown path, named by the first
 * argument. Settings come from {@code -Dprobekit.shutdown.*}.
 */
public final class FaultProgram {
  private FaultProgram() {}

  /** An exception whose message cannot be read: describing it must not throw. */
  static final class UnreadableException extends RuntimeException {
    @Override
    public String getMessage() {
      throw new IllegalStateException("getMessage() throws");
    }
  }

  public static void main(String[] args) throws Exception {
    String fault = args.length > 0 ? args[0] : "none";
    HealthRegistry health = HealthRegistry.builder().build();
    Lifecycle lifecycle = Lifecycle.builder(health).fromEnvironment().build();

    switch (fault) {
      case "check-message-throws":
        health.register(
            "broken-message",
            () -> {
              throw new UnreadableException();
            },
            CheckOptions.builder(Probe.LIVENESS).interval(Duration.ofMillis(50)).build());
        break;
      case "check-oom":
        health.register(
            "oom",
            () -> {
              throw new OutOfMemoryError("injected in a check");
            },
            CheckOptions.builder(Probe.LIVENESS).interval(Duration.ofMillis(50)).build());
        break;
      case "probe-listener-oom":
        health.addProbeListener(
            (previous, current) -> {
              if (lifecycle.isDraining() && current.probe().orElse(null) == Probe.READINESS) {
                throw new OutOfMemoryError("injected in a probe listener");
              }
            });
        break;
      default:
        break;
    }

    ProbeServer probes =
        ProbeServer.builder(ProbeEndpoints.builder(health).build())
            .port(0)
            .lifecycle(lifecycle)
            .preStop("/prestop", lifecycle)
            .start();
    System.out.println("fault-program probe=" + probes.port());

    if (fault.equals("dependency-wait")) {
      int closedPort;
      try (ServerSocket s = new ServerSocket(0)) {
        closedPort = s.getLocalPort();
      }
      lifecycle.installSignalHandler();
      try {
        Waits.builder()
            .add(Waits.tcp("127.0.0.1", closedPort).named("never"))
            .deadline(Duration.ofMinutes(5))
            .health(health)
            .lifecycle(lifecycle)
            .build()
            .await();
      } catch (DependencyWaitException e) {
        if (e.aborted()) {
          return; // the signal handler drains and exits
        }
        throw e;
      }
      throw new AssertionError("the dependency wait should never succeed");
    }

    HttpServer app = startApp(lifecycle);
    // The probe-listener fault must be met by the lifecycle's own announce: a check finishing at
    // that instant would deliver the queued listener calls on its own thread (one deliverer at a
    // time, in order), where the error is that thread's, not the drain's (docs/shutdown.md). So
    // that scenario's check runs once and not again during the drain.
    Duration appInterval =
        fault.equals("probe-listener-oom") ? Duration.ofMinutes(10) : Duration.ofMillis(100);
    health.register(
        "app", CheckResult::up, CheckOptions.builder(Probe.READINESS).interval(appInterval).build());
    inject(fault, lifecycle);
    lifecycle.installSignalHandler();
    System.out.println(
        "fault-program ports app=" + app.getAddress().getPort() + " probe=" + probes.port());
  }

  private static void inject(String fault, Lifecycle lifecycle) {
    switch (fault) {
      case "action-assertion":
        lifecycle.onStopAccepting("broken", () -> { throw new AssertionError("injected"); });
        break;
      case "action-noclassdef":
        lifecycle.onStopAccepting("broken", () -> { throw new NoClassDefFoundError("com/acme/Missing"); });
        break;
      case "action-unreadable":
        lifecycle.onStopAccepting("broken", () -> { throw new UnreadableException(); });
        break;
      case "action-hangs":
        lifecycle.onStopAccepting("hangs", FaultProgram::hangDeafToInterrupts);
        break;
      case "listener-error":
        lifecycle.addListener((phase, took) -> { throw new AssertionError("injected on " + phase.tagValue()); });
        break;
      case "task-error":
        lifecycle.addShutdownTask("broken", () -> { throw new NoClassDefFoundError("org/acme/Gone"); });
        break;
      case "task-deaf":
        lifecycle.addShutdownTask("deaf", Duration.ofMillis(500), FaultProgram::hangDeafToInterrupts);
        break;
      default:
        break;
    }
  }

  /** Never returns, and ignores interrupts, as a stuck client library can. */
  private static void hangDeafToInterrupts() {
    CountDownLatch never = new CountDownLatch(1);
    while (true) {
      try {
        never.await();
      } catch (InterruptedException ignored) {
        // Deaf on purpose: the lifecycle's interrupt at a task's timeout must not be needed.
      }
    }
  }

  /** The application server, counted into the lifecycle's in-flight tracker. */
  private static HttpServer startApp(Lifecycle lifecycle) throws IOException {
    InflightTracker inflight = lifecycle.inflight();
    ExecutorService workers = Executors.newFixedThreadPool(8);
    HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    app.setExecutor(inflight.counting(workers));
    app.createContext("/", exchange -> work(exchange, lifecycle));
    app.start();
    // As the demo does: stop accepting at once, let the exchanges in flight finish meanwhile.
    DemoService.joinDrain(app, workers, lifecycle, 60, "app-stop");
    return app;
  }

  private static void work(HttpExchange exchange, Lifecycle lifecycle) throws IOException {
    try (exchange) {
      String query = exchange.getRequestURI().getQuery();
      long ms = query != null && query.startsWith("ms=") ? Long.parseLong(query.substring(3)) : 0;
      System.out.println("fault-program work started ms=" + ms);
      if (ms > 0) {
        Thread.sleep(ms);
      }
      byte[] body = ("done " + ms + "\n").getBytes(StandardCharsets.UTF_8);
      if (lifecycle.isDraining()) {
        exchange.getResponseHeaders().set("Connection", "close");
      }
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
