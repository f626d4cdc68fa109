package dev.probekit.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.micrometer.ProbeMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The adaptive pre-stop step in a real lifecycle: settings, evidence, listeners and meters. */
class AdaptivePreStopTest {
  private final HealthRegistry health = HealthRegistry.builder().build();
  private volatile boolean trafficOn = true;
  private Thread traffic;

  @BeforeEach
  void ready() {
    health.register("db", CheckResult::up, CheckOptions.builder(Probe.READINESS).interval(Duration.ofMillis(20)).build());
    await().atMost(Duration.ofSeconds(5)).until(() -> health.snapshot(Probe.READINESS).isUp());
  }

  @AfterEach
  void close() throws InterruptedException {
    trafficOn = false;
    if (traffic != null) {
      traffic.join(5_000);
    }
    health.close();
  }

  /** A request every 20 ms until {@code stopAfterNanos} after readiness turned DOWN (if ever). */
  private void startTraffic(InflightTracker tracker, AtomicLong downAt, long stopAfterNanos) {
    traffic =
        new Thread(
            () -> {
              while (trafficOn) {
                long down = downAt.get();
                if (down != 0 && System.nanoTime() - down > stopAfterNanos) {
                  return;
                }
                tracker.enter();
                tracker.exit();
                LockSupport.parkNanos(20_000_000L); // pacing of the simulated clients
              }
            },
            "traffic");
    traffic.setDaemon(true);
    traffic.start();
  }

  private static AtomicLong announceTime(Lifecycle lifecycle) {
    AtomicLong downAt = new AtomicLong();
    lifecycle.addListener(
        (phase, took) -> {
          if (phase == DrainPhase.ANNOUNCE) {
            downAt.set(System.nanoTime());
          }
        });
    return downAt;
  }

  @Test
  void trafficThatStopsEndsTheStepOneQuietPeriodLaterWithTheEvidence() {
    Lifecycle lifecycle =
        Lifecycle.builder(health)
            .preStopDelay(Duration.ofSeconds(8))
            .preStopMin(Duration.ofMillis(200))
            .preStopQuietPeriod(Duration.ofMillis(300))
            .build();
    List<PreStopReport> told = new CopyOnWriteArrayList<>();
    lifecycle.addListener(
        new LifecycleListener() {
          @Override
          public void onPhaseCompleted(DrainPhase phase, Duration took) {}

          @Override
          public void onPreStopEnded(PreStopReport report) {
            told.add(report);
          }
        });
    startTraffic(lifecycle.inflight(), announceTime(lifecycle), 600_000_000L);

    ShutdownSummary summary = lifecycle.shutdown();

    PreStopReport report = summary.preStop().orElseThrow();
    assertThat(told).containsExactly(report);
    assertThat(report.ending()).isEqualTo(PreStopReport.Ending.QUIET);
    assertThat(report.arrivals()).isPositive();
    assertThat(report.lastArrival().orElseThrow()).isBetween(Duration.ofMillis(500), Duration.ofMillis(2_500));
    // Ended a quiet period after the last arrival, far before the 8 s maximum.
    assertThat(report.duration()).isBetween(report.lastArrival().orElseThrow().plusMillis(290), Duration.ofSeconds(4));
    assertThat(summary.phaseDurations().get(DrainPhase.PRE_STOP_DELAY)).isLessThan(Duration.ofSeconds(4));
    assertThat(summary.toString()).contains("pre-stop ended=quiet after ", ", arrivals=", ", last arrival=", ", readiness 503s=0");
  }

  @Test
  void trafficThatNeverStopsEndsAtTheMaximum() {
    Lifecycle lifecycle =
        Lifecycle.builder(health)
            .preStopDelay(Duration.ofMillis(800))
            .preStopMin(Duration.ofMillis(100))
            .preStopQuietPeriod(Duration.ofMillis(300))
            .build();
    startTraffic(lifecycle.inflight(), new AtomicLong(), Long.MAX_VALUE);

    PreStopReport report = lifecycle.shutdown().preStop().orElseThrow();

    assertThat(report.ending()).isEqualTo(PreStopReport.Ending.MAXIMUM);
    assertThat(report.duration()).isBetween(Duration.ofMillis(790), Duration.ofMillis(2_000));
    assertThat(report.arrivals()).isGreaterThan(5);
  }

  @Test
  void noTrafficEndsAtTheMinimumAndPublishesTheMeters() {
    Lifecycle lifecycle =
        Lifecycle.builder(health)
            .preStopDelay(Duration.ofSeconds(8))
            .preStopMin(Duration.ofMillis(400))
            .preStopQuietPeriod(Duration.ofMillis(100))
            .build();
    MeterRegistry registry = new SimpleMeterRegistry();
    ProbeMetrics metrics = new ProbeMetrics(health, lifecycle);
    metrics.bindTo(registry);

    ShutdownSummary summary = lifecycle.shutdown();

    PreStopReport report = summary.preStop().orElseThrow();
    assertThat(report.ending()).isEqualTo(PreStopReport.Ending.QUIET);
    assertThat(report.duration()).isBetween(Duration.ofMillis(390), Duration.ofSeconds(3));
    assertThat(report.lastArrival()).isEmpty();
    assertThat(registry.get(ProbeMetrics.PRE_STOP_ARRIVALS).tag("ending", "quiet").counter().count()).isZero();
    assertThat(registry.find(ProbeMetrics.PRE_STOP_PROPAGATION).timers()).isEmpty();
    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void trafficRecordsThePropagationTimer() {
    Lifecycle lifecycle =
        Lifecycle.builder(health).preStopDelay(Duration.ofMillis(500)).build();
    MeterRegistry registry = new SimpleMeterRegistry();
    new ProbeMetrics(health, lifecycle).bindTo(registry);
    startTraffic(lifecycle.inflight(), announceTime(lifecycle), 200_000_000L);

    PreStopReport report = lifecycle.shutdown().preStop().orElseThrow();

    assertThat(report.ending()).isEqualTo(PreStopReport.Ending.FIXED);
    assertThat(registry.get(ProbeMetrics.PRE_STOP_PROPAGATION).tag("ending", "fixed").timer().count()).isEqualTo(1);
    assertThat(registry.get(ProbeMetrics.PRE_STOP_ARRIVALS).tag("ending", "fixed").counter().count())
        .isEqualTo(report.arrivals());
  }

  @Test
  void readinessProbesAnswered503DuringTheStepAreCountedInTheSummaryAndTheMeter() {
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);
    // 503s before the step (an operator's override) are not the step's evidence.
    health.readiness().down("maintenance");
    for (int i = 0; i < 3; i++) {
      assertThat(endpoints.handle("GET", "/readyz", null, null).status()).isEqualTo(503);
    }
    health.readiness().clear();
    assertThat(endpoints.handle("GET", "/readyz", null, null).status()).isEqualTo(200);
    Lifecycle lifecycle =
        Lifecycle.builder(health)
            .preStopDelay(Duration.ofSeconds(8))
            .preStopMin(Duration.ofMillis(100))
            .preStopQuietPeriod(Duration.ofMillis(100))
            .build();
    MeterRegistry registry = new SimpleMeterRegistry();
    new ProbeMetrics(health, lifecycle).bindTo(registry);
    List<Integer> statuses = new CopyOnWriteArrayList<>();
    // Probed from the announce listener: readiness is DOWN and the step has begun.
    lifecycle.addListener(
        (phase, took) -> {
          if (phase == DrainPhase.ANNOUNCE) {
            for (int i = 0; i < 5; i++) {
              statuses.add(endpoints.handle("GET", "/readyz", null, null).status());
            }
            statuses.add(endpoints.handle("HEAD", "/readyz", "verbose", null).status());
            // Not the readiness probe: one check, another probe, a stranger's path.
            statuses.add(endpoints.handle("GET", "/readyz/db", null, null).status());
            statuses.add(endpoints.handle("GET", "/livez", null, null).status());
            statuses.add(endpoints.handle("GET", "/readyz/nope", null, null).status());
          }
        });

    ShutdownSummary summary = lifecycle.shutdown();

    assertThat(statuses).containsExactly(503, 503, 503, 503, 503, 503, 200, 200, 404);
    PreStopReport report = summary.preStop().orElseThrow();
    assertThat(report.readinessDown()).isEqualTo(6);
    assertThat(summary.toString()).contains(", readiness 503s=6");
    assertThat(registry.get(ProbeMetrics.PRE_STOP_READINESS_DOWN).tag("ending", "quiet").counter().count())
        .isEqualTo(6);
  }

  @Test
  void settingsComeFromPropertiesAndEnvironmentAndBadCombinationsFailNamingThem() {
    Lifecycle lifecycle =
        Lifecycle.builder(health)
            .configure(
                Map.of("probekit.shutdown.pre-stop-quiet-period", "750ms"),
                Map.of("PROBEKIT_SHUTDOWN_PRE_STOP_MIN", "1s", "PROBEKIT_SHUTDOWN_PRE_STOP_DELAY", "10s"))
            .build();
    assertThat(lifecycle.preStopMin()).isEqualTo(Duration.ofSeconds(1));
    assertThat(lifecycle.preStopQuietPeriod()).isEqualTo(Duration.ofMillis(750));
    assertThat(lifecycle.preStopDelay()).isEqualTo(Duration.ofSeconds(10));

    assertThatThrownBy(
            () ->
                Lifecycle.builder(health)
                    .configure(Map.of(), Map.of("PROBEKIT_SHUTDOWN_PRE_STOP_MIN", "6s"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "preStopMin (probekit.shutdown.pre-stop-min): 6s (expected: <= preStopDelay"
                + " (probekit.shutdown.pre-stop-delay), the pre-stop maximum, 5s)");
    assertThatThrownBy(
            () ->
                Lifecycle.builder(health)
                    .configure(Map.of("probekit.shutdown.pre-stop-quiet-period", "-1s"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("probekit.shutdown.pre-stop-quiet-period");
    // The default minimum (2 s) above a short fixed delay is no error: without a quiet period it
    // does not apply.
    assertThat(Lifecycle.builder(health).preStopDelay(Duration.ofSeconds(1)).build().preStopMin())
        .isEqualTo(Lifecycle.DEFAULT_PRE_STOP_MIN);
  }
}
