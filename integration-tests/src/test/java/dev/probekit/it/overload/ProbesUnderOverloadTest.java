package dev.probekit.it.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.Status;
import dev.probekit.core.lifecycle.InflightTracker;
import dev.probekit.core.server.ProbeServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Saturates an application server (every worker busy on slow requests, one of them burning CPU)
 * and probes the built-in {@link ProbeServer} the way the kubelet does: every probe must answer
 * well inside the kubelet's 1 s timeout and liveness must stay UP, so a merely busy pod is never
 * killed. Prints p50/p99.
 */
class ProbesUnderOverloadTest {
  private static final int WORKERS = 4;
  private static final Duration MEASURE = Duration.ofSeconds(5);

  private HealthRegistry health;
  private ProbeServer probes;
  private HttpServer app;
  private ExecutorService appWorkers;
  private final InflightTracker inflight = InflightTracker.create();
  private final AtomicInteger busy = new AtomicInteger();
  private final AtomicInteger maxBusy = new AtomicInteger();
  private volatile boolean stop;

  @BeforeEach
  void start() throws IOException {
    health = HealthRegistry.builder().build();
    health.register("ping", CheckResult::up, CheckOptions.of(Probe.LIVENESS, Probe.READINESS));
    await().atMost(Duration.ofSeconds(5)).until(() -> health.snapshot(Probe.READINESS).status() == Status.UP);
    probes =
        ProbeServer.builder(ProbeEndpoints.of(health))
            .bindAddress(InetAddress.getLoopbackAddress())
            .port(0)
            .start();
    app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    appWorkers = Executors.newFixedThreadPool(WORKERS);
    app.setExecutor(appWorkers);
    app.createContext(
        "/work",
        exchange -> {
          inflight.enter();
          maxBusy.accumulateAndGet(busy.incrementAndGet(), Math::max);
          try (exchange) {
            boolean spin = exchange.getRequestURI().getQuery().contains("spin");
            long x = Overload.work(spin, () -> stop);
            byte[] body = ("done " + (x & 1)).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
          } finally {
            busy.decrementAndGet();
            inflight.exit();
          }
        });
    app.start();
  }

  @AfterEach
  void stop() {
    stop = true;
    app.stop(0);
    appWorkers.shutdownNow();
    probes.close();
    health.close();
  }

  @Test
  void probesAnswerWithinTheKubeletTimeoutAndLivenessStaysUpWhileEveryWorkerIsBusy() throws Exception {
    // Load: 3x as many clients as workers, each sending slow requests back to back, so every
    // worker is always busy and a queue builds up in front of them.
    int port = app.getAddress().getPort();
    ExecutorService clients = Executors.newFixedThreadPool(WORKERS * 3);
    AtomicInteger appRequests = new AtomicInteger();
    long loadEnd = System.nanoTime() + MEASURE.plusSeconds(2).toNanos();
    for (int i = 0; i < WORKERS * 3; i++) {
      // One client's requests burn CPU (at most one worker spins at a time, leaving the probe
      // server a core on these 2-core CI machines); the others wait on a slow "downstream".
      String query = i == 0 ? "spin" : "sleep";
      clients.submit(
          () -> {
            while (System.nanoTime() < loadEnd && !stop) {
              slowRequest(port, query);
              appRequests.incrementAndGet();
            }
            return null;
          });
    }
    await("every worker busy").atMost(Duration.ofSeconds(5)).until(() -> busy.get() == WORKERS);

    Overload.Samples samples = Overload.sample(probes.port(), busy::get, WORKERS, MEASURE);
    stop = true;
    clients.shutdown();
    assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

    samples.print(
        "ProbeServer",
        String.format(
            "%d workers saturated in %d of %d samples, %d app requests",
            WORKERS, samples.saturated(), samples.rounds(), appRequests.get()));
    assertThat(maxBusy.get()).isEqualTo(WORKERS);
    samples.assertProbesStayedUpAndFast();
  }

  private static void slowRequest(int port, String query) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream()
          .write(("GET /work?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      in.readAllBytes();
    } catch (IOException e) {
      // The server is stopped at the end of the test while some requests still wait.
    }
  }
}
