package dev.probekit.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.ShutdownSummary;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The drain sequence on a real Netty server: requests in flight finish, keep-alive clients are
 * sent away, idle connections close when the drain starts, then the event loops shut down.
 */
@ExtendWith(LeakCheck.class)
class DrainTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int USERS = 8;

  private final HealthRegistry health = HealthRegistry.builder().build();
  private final ProbeEndpoints endpoints = ProbeEndpoints.of(health);
  private TestServer server;
  private NettyProbeServer probes;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (probes != null) {
      probes.close();
    }
    health.close();
  }

  private Lifecycle lifecycle(long preStopMillis, long drainMillis) {
    return Lifecycle.builder(health)
        .preStopDelay(Duration.ofMillis(preStopMillis))
        .drainTimeout(Duration.ofMillis(drainMillis))
        .gracePeriod(Duration.ofSeconds(15))
        .safetyMargin(Duration.ofSeconds(1))
        .build();
  }

  @Test
  void drainsEveryRequestInFlightAndLosesNone() throws Exception {
    // Pre-stop 1.5 s: ample time for the balancer below to notice; requests take 2 s, so every
    // user's request is still in flight when the drain starts.
    Lifecycle lifecycle = lifecycle(1_500, 5_000);
    server = TestServer.start(endpoints, TestServer.Aggregation.NONE, lifecycle, 2, USERS);
    probes =
        NettyProbeServer.builder(endpoints)
            .port(0)
            .bindAddress(InetAddress.getLoopbackAddress())
            .closeConnections(lifecycle::isDraining)
            .start();
    lifecycle.addShutdownTask("probe-server", probes::close); // first registered, closes last
    NettyShutdown.of(lifecycle, server.serverChannel, server.boss, server.workers, server.app);
    AtomicBoolean drained = new AtomicBoolean();
    lifecycle.addListener((phase, took) -> drained.compareAndSet(false, phase == DrainPhase.DRAIN));

    // A load balancer: polls readiness on the probe port and stops routing once it is 503.
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    AtomicBoolean routing = new AtomicBoolean(true);
    AtomicInteger livenessFailures = new AtomicInteger();
    ScheduledExecutorService balancer = Executors.newSingleThreadScheduledExecutor();
    balancer.scheduleWithFixedDelay(
        () -> {
          if (drained.get()) {
            return; // the probe server closes after the drain
          }
          try {
            if (status(client, probes.port(), "/readyz") == 503) {
              routing.set(false);
            }
            if (status(client, probes.port(), "/livez") != 200) {
              livenessFailures.incrementAndGet();
            }
          } catch (Exception e) {
            livenessFailures.incrementAndGet();
          }
        },
        0,
        50,
        TimeUnit.MILLISECONDS);

    // Users: each sends slow requests back to back while the balancer routes to this pod.
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger toldToClose = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    ExecutorService users = Executors.newFixedThreadPool(USERS);
    for (int u = 0; u < USERS; u++) {
      users.execute(
          () -> {
            for (int i = 0; i < 20 && routing.get(); i++) {
              try {
                HttpResponse<String> response =
                    client.send(
                        HttpRequest.newBuilder(server.uri("/work?delay=2000")).timeout(WAIT).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().equals("GET /work 0")) {
                  ok.incrementAndGet();
                } else {
                  failures.add(response.statusCode() + " " + response.body());
                }
                if (response.headers().firstValue("Connection").orElse("").equals("close")) {
                  toldToClose.incrementAndGet();
                }
              } catch (Exception e) {
                failures.add(e.toString());
              }
            }
          });
    }
    await().atMost(WAIT).until(() -> lifecycle.inflight().current() == USERS);

    ShutdownSummary summary =
        CompletableFuture.supplyAsync(lifecycle::shutdown).get(20, TimeUnit.SECONDS);
    users.shutdown();
    assertThat(users.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    balancer.shutdownNow();

    assertThat(failures).isEmpty();
    assertThat(ok.get()).isGreaterThanOrEqualTo(USERS);
    assertThat(toldToClose.get()).isPositive();
    assertThat(livenessFailures.get()).isZero();
    assertThat(summary.requestsDrained()).isPositive();
    assertThat(summary.requestsAbandoned()).isZero();
    assertThat(summary.failedTasks()).isEmpty();
    assertThat(lifecycle.inflight().current()).isZero();
    assertThat(server.workers.isTerminated()).isTrue();
    assertThat(server.app.isTerminated()).isTrue();
    assertThatThrownBy(() -> new Socket("127.0.0.1", server.port()).close())
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void closesIdleConnectionsWhenTheDrainStartsAndBusyOnesAfterTheirLastResponse()
      throws Exception {
    Lifecycle lifecycle = lifecycle(1_000, 5_000);
    server = TestServer.start(endpoints, TestServer.Aggregation.NONE, lifecycle, 2, 2);
    NettyShutdown.of(lifecycle, server.serverChannel);
    // Connected before the sequence starts, used during the pre-stop delay.
    try (RawHttp idle = new RawHttp(server.port());
        RawHttp busy = new RawHttp(server.port());
        RawHttp late = new RawHttp(server.port());
        RawHttp probe = new RawHttp(server.port())) {
      assertThat(idle.send(RawHttp.get("/app")).read().header("Connection")).isNull();
      busy.send(RawHttp.get("/slow?gate"));
      await().atMost(WAIT).until(() -> lifecycle.inflight().current() == 1);

      CompletableFuture<ShutdownSummary> shutdown = CompletableFuture.supplyAsync(lifecycle::shutdown);
      await().atMost(WAIT).until(lifecycle::isDraining);

      // Pre-stop delay: still served, but told to close; a probe on this port as well.
      RawHttp.Response during = late.send(RawHttp.get("/app")).read();
      assertThat(during.body).isEqualTo("GET /app 0");
      assertThat(during.header("Connection")).isEqualTo("close");
      assertThat(late.closedByServer()).isTrue();
      RawHttp.Response readiness = probe.send(RawHttp.get("/readyz")).read();
      assertThat(readiness.status).isEqualTo(503);
      assertThat(readiness.header("Connection")).isEqualTo("close");
      assertThat(probe.closedByServer()).isTrue();

      // The drain starts: the idle connection is closed, the busy one is not.
      assertThat(idle.closedByServer()).isTrue();
      assertThat(lifecycle.lastCompletedPhase()).hasValue(DrainPhase.STOP_ACCEPTING);
      assertThat(shutdown).isNotDone();
      server.openGate();
      RawHttp.Response last = busy.read();
      assertThat(last.body).isEqualTo("GET /slow 0");
      assertThat(last.header("Connection")).isEqualTo("close");
      assertThat(busy.closedByServer()).isTrue();

      ShutdownSummary summary = shutdown.get(10, TimeUnit.SECONDS);
      assertThat(summary.requestsDrained()).isEqualTo(1);
      assertThat(summary.requestsAbandoned()).isZero();
      // The pre-stop evidence: the late request was an arrival, the probe a readiness 503.
      assertThat(summary.preStop().orElseThrow().arrivals()).isEqualTo(1);
      assertThat(summary.preStop().orElseThrow().readinessDown()).isEqualTo(1);
    }
  }

  @Test
  void answersEveryPipelinedRequestWhileDrainingAndClosesAfterTheLast() throws Exception {
    Lifecycle lifecycle = lifecycle(1_000, 5_000);
    server = TestServer.start(endpoints, TestServer.Aggregation.NONE, lifecycle, 2, 2);
    try (RawHttp raw = new RawHttp(server.port())) {
      CompletableFuture<ShutdownSummary> shutdown = CompletableFuture.supplyAsync(lifecycle::shutdown);
      await().atMost(WAIT).until(lifecycle::isDraining);

      raw.send(RawHttp.get("/a?delay=200") + RawHttp.get("/b") + RawHttp.get("/c?delay=100"));

      RawHttp.Response a = raw.read();
      RawHttp.Response b = raw.read();
      RawHttp.Response c = raw.read();
      assertThat(List.of(a.body, b.body, c.body)).containsExactly("GET /a 0", "GET /b 0", "GET /c 0");
      assertThat(a.header("Connection")).isNull();
      assertThat(b.header("Connection")).isNull();
      assertThat(c.header("Connection")).isEqualTo("close");
      assertThat(raw.closedByServer()).isTrue();
      assertThat(shutdown.get(10, TimeUnit.SECONDS).requestsAbandoned()).isZero();
    }
    assertThat(lifecycle.inflight().started()).isEqualTo(3);
    assertThat(lifecycle.inflight().finished()).isEqualTo(3);
  }

  @Test
  void failsTheShutdownTaskWhenAnEventLoopDoesNotTerminateInTime() throws Exception {
    Lifecycle lifecycle = lifecycle(0, 0);
    EventLoopGroup stuck = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    CountDownLatch release = new CountDownLatch(1);
    stuck.execute(
        () -> {
          try {
            release.await(); // deliberately blocks the loop
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    NettyShutdown.builder(lifecycle)
        .name("stuck-server")
        .eventLoopGroup(stuck)
        .quietPeriod(Duration.ZERO)
        .timeout(Duration.ofMillis(300))
        .register();
    try {
      long start = System.nanoTime();
      ShutdownSummary summary = lifecycle.shutdown();
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(summary.failedTasks()).containsExactly("stuck-server");
      assertThat(took).isLessThan(Duration.ofSeconds(3));
    } finally {
      release.countDown();
      assertThat(stuck.terminationFuture().await(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void rejectsAQuietPeriodNotShorterThanTheTimeout() {
    Lifecycle lifecycle = lifecycle(0, 0);

    assertThatThrownBy(
            () -> NettyShutdown.builder(lifecycle).quietPeriod(Duration.ofMillis(500)).timeout(Duration.ofMillis(500)).register())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("quietPeriod");
  }

  private static int status(HttpClient client, int port, String path)
      throws IOException, InterruptedException {
    return client
        .send(
            HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
