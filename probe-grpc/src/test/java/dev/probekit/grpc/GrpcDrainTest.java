package dev.probekit.grpc;

import static io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING;
import static io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.ShutdownSummary;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The drain of an application's gRPC server with the health service on it: readiness goes
 * NOT_SERVING at announce, the server stops taking calls at stop-accepting, slow unary calls in
 * flight all finish, watchers get their final status and are completed, all inside the budget.
 */
class GrpcDrainTest {
  private HealthRegistry health;
  private Lifecycle lifecycle;
  private ProbeHealthService probes;
  private Server server;
  private ExecutorService appExecutor;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    health = HealthRegistry.builder().build();
    lifecycle =
        Lifecycle.builder(health)
            .preStopDelay(Duration.ofMillis(500))
            .drainTimeout(Duration.ofSeconds(10))
            .gracePeriod(Duration.ofSeconds(15))
            .exitOnSignal(false)
            .build();
    probes = ProbeHealthService.of(health);
    appExecutor = Executors.newFixedThreadPool(32);
    server =
        NettyServerBuilder.forPort(0)
            .executor(appExecutor)
            .addService(GrpcFixtures.slowService())
            .addService(probes)
            .intercept(GrpcDrain.interceptor(lifecycle))
            .build()
            .start();
    GrpcDrain.register(lifecycle, "grpc", server, probes);
    channel = GrpcFixtures.channel(server.getPort());
    // Ready once, as after a real start-up, so the drain keeps its pre-stop delay.
    health.readiness().down("starting");
    health.readiness().clear();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    probes.close();
    appExecutor.shutdownNow();
    health.close();
  }

  @Test
  void slowCallsInFlightAllFinishAndTheDrainEndsInsideTheBudget() {
    WatchRecorder readiness = WatchRecorder.watch(channel, "readiness");
    WatchRecorder overall = WatchRecorder.watch(channel, "");
    await().until(() -> readiness.last() == SERVING && overall.last() == SERVING);
    assertThat(GrpcFixtures.check(channel, "")).isEqualTo(SERVING);

    int calls = 20;
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      results.add(
          CompletableFuture.supplyAsync(
              () -> GrpcFixtures.sleep(channel, Duration.ofMillis(2_000)), Executors.newSingleThreadExecutor()));
    }
    // Health calls are not counted; the slow ones are.
    await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.inflight().current() == calls);

    long t0 = System.nanoTime();
    CompletableFuture<ShutdownSummary> drain = CompletableFuture.supplyAsync(lifecycle::shutdown);

    // Announce: readiness and overall NOT_SERVING at once, liveness untouched, calls still taken.
    await().atMost(Duration.ofSeconds(2)).until(() -> readiness.last() == NOT_SERVING);
    await().atMost(Duration.ofSeconds(2)).until(() -> overall.last() == NOT_SERVING);
    assertThat(GrpcFixtures.check(channel, "liveness")).isEqualTo(SERVING);
    assertThat(GrpcFixtures.check(channel, "readiness")).isEqualTo(NOT_SERVING);

    // Stop-accepting: watchers completed, new calls refused.
    await().atMost(Duration.ofSeconds(5)).until(() -> readiness.completed && overall.completed);
    // Watchers are completed by a stop-accepting action, so the phase itself is marked done a
    // moment after they see it.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(lifecycle.lastCompletedPhase())
                    .hasValueSatisfying(
                        p ->
                            assertThat(p.ordinal())
                                .isGreaterThanOrEqualTo(DrainPhase.STOP_ACCEPTING.ordinal())));
    ManagedChannel late = GrpcFixtures.channel(server.getPort());
    try {
      assertThatThrownBy(() -> GrpcFixtures.sleep(late, Duration.ofMillis(1)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    } finally {
      late.shutdownNow();
    }

    ShutdownSummary summary = drain.join();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    for (CompletableFuture<String> r : results) {
      assertThat(r.join()).isEqualTo("slept 2000");
    }
    assertThat(summary.requestsDrained()).isEqualTo(calls);
    assertThat(summary.requestsAbandoned()).isZero();
    assertThat(summary.failedTasks()).isEmpty();
    // 0.5 s delay + what is left of the 2 s calls, far inside the 13 s budget.
    assertThat(took).isLessThan(Duration.ofSeconds(8));
    assertThat(readiness.statuses).containsExactly(SERVING, NOT_SERVING);
    assertThat(readiness.error).isNull();
    assertThat(server.isTerminated()).isTrue();
    assertThat(lifecycle.inflight().current()).isZero();
  }

  @Test
  void failedAndCancelledCallsLeaveTheInflightCount() {
    long before = lifecycle.inflight().finished();
    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(
              () ->
                  io.grpc.stub.ClientCalls.blockingUnaryCall(
                      channel, GrpcFixtures.SLEEP, io.grpc.CallOptions.DEFAULT, "throw"))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN));
      // The client gives up after 50 ms of a 1 s call: the server sees a cancel.
      assertThatThrownBy(
              () ->
                  io.grpc.stub.ClientCalls.blockingUnaryCall(
                      channel,
                      GrpcFixtures.SLEEP,
                      io.grpc.CallOptions.DEFAULT.withDeadlineAfter(50, TimeUnit.MILLISECONDS),
                      "1000"))
          .isInstanceOf(StatusRuntimeException.class);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.inflight().current() == 0);
    assertThat(lifecycle.inflight().finished() - before).isEqualTo(20);
    // Health calls were never counted.
    GrpcFixtures.check(channel, "");
    assertThat(lifecycle.inflight().started()).isEqualTo(20);
  }

  @Test
  void callsThatOutliveTheBudgetAreCancelledAndCounted() {
    Lifecycle shortOne =
        Lifecycle.builder(health)
            .preStopDelay(Duration.ZERO)
            .drainTimeout(Duration.ofMillis(500))
            .exitOnSignal(false)
            .build();
    // A second server on the short lifecycle, so the budget is the only thing that differs.
    ProbeHealthService svc = ProbeHealthService.of(health);
    Server s;
    try {
      s =
          NettyServerBuilder.forPort(0)
              .executor(appExecutor)
              .addService(GrpcFixtures.slowService())
              .addService(svc)
              .intercept(GrpcDrain.interceptor(shortOne))
              .build()
              .start();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    GrpcDrain.register(shortOne, "grpc", s, svc);
    ManagedChannel ch = GrpcFixtures.channel(s.getPort());
    try {
      CompletableFuture<String> slow =
          CompletableFuture.supplyAsync(() -> GrpcFixtures.sleep(ch, Duration.ofSeconds(20)));
      await().atMost(Duration.ofSeconds(10)).until(() -> shortOne.inflight().current() == 1);
      long t0 = System.nanoTime();
      ShutdownSummary summary = shortOne.shutdown();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
      assertThat(summary.requestsAbandoned()).isEqualTo(1);
      assertThat(slow).failsWithin(Duration.ofSeconds(10));
      assertThat(s.isTerminated()).isTrue();
    } finally {
      ch.shutdownNow();
      s.shutdownNow();
    }
  }
}
