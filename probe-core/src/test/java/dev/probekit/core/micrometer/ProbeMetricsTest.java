package dev.probekit.core.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.LifecycleTestHooks;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProbeMetricsTest {
  private static final Duration FAST = Duration.ofMillis(20);

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private HealthRegistry health;

  @BeforeEach
  void setUp() {
    health = HealthRegistry.builder().defaultInterval(FAST).jitter(0).build();
  }

  @AfterEach
  void tearDown() {
    health.close();
  }

  private double checkStatus(String check, Probe probe) {
    Gauge gauge =
        registry
            .find(ProbeMetrics.CHECK_STATUS)
            .tags("check", check, "probe", probe.displayName())
            .gauge();
    assertThat(gauge).as("gauge of %s on %s", check, probe).isNotNull();
    return gauge.value();
  }

  private double probeStatus(Probe probe) {
    return registry.get(ProbeMetrics.PROBE_STATUS).tag("probe", probe.displayName()).gauge().value();
  }

  private double failures(String check) {
    return registry.get(ProbeMetrics.CHECK_FAILURES).tag("check", check).counter().count();
  }

  private long runs(String check) {
    return registry.get(ProbeMetrics.CHECK_DURATION).tag("check", check).timer().count();
  }

  private List<Meter> metersOf(String check) {
    return registry.getMeters().stream()
        .filter(m -> check.equals(m.getId().getTag("check")))
        .collect(Collectors.toList());
  }

  private static CheckOptions every20ms(Probe probe, Probe... more) {
    return CheckOptions.builder(probe, more).interval(FAST).build();
  }

  @Test
  void checkStatusGaugeFollowsTheCheckAsItFlips() {
    AtomicBoolean healthy = new AtomicBoolean(true);
    health.register(
        "db",
        () -> healthy.get() ? CheckResult.up() : CheckResult.down("refused"),
        every20ms(Probe.READINESS));
    new ProbeMetrics(health).bindTo(registry);

    await().atMost(Duration.ofSeconds(5)).until(() -> checkStatus("db", Probe.READINESS) == 1.0);
    assertThat(probeStatus(Probe.READINESS)).isEqualTo(1.0);
    assertThat(failures("db")).isZero();

    healthy.set(false);
    await().atMost(Duration.ofSeconds(5)).until(() -> checkStatus("db", Probe.READINESS) == 0.0);
    assertThat(probeStatus(Probe.READINESS)).isEqualTo(0.0);
    assertThat(failures("db")).isGreaterThanOrEqualTo(1);
    // Liveness does not contain the check and stays UP.
    assertThat(probeStatus(Probe.LIVENESS)).isEqualTo(1.0);

    healthy.set(true);
    await().atMost(Duration.ofSeconds(5)).until(() -> checkStatus("db", Probe.READINESS) == 1.0);
    assertThat(probeStatus(Probe.READINESS)).isEqualTo(1.0);
  }

  @Test
  void countsEveryFailedRunNotOnlyTransitions() {
    health.register("broken", () -> CheckResult.down("always"), every20ms(Probe.READINESS));
    new ProbeMetrics(health).bindTo(registry);

    // Four failing runs: one transition, four failures, four timed runs.
    await().atMost(Duration.ofSeconds(5)).until(() -> failures("broken") >= 4);
    assertThat(runs("broken")).isGreaterThanOrEqualTo(4);
    assertThat(checkStatus("broken", Probe.READINESS)).isEqualTo(0.0);
  }

  @Test
  void recordsRunDurationsAndCountsATimeoutAsAFailureOfTheTimeoutsLength() {
    CountDownLatch release = new CountDownLatch(1);
    health.register(
        "hangs",
        () -> {
          release.await(); // interrupted by the timeout
          return CheckResult.up();
        },
        CheckOptions.builder(Probe.READINESS)
            .interval(Duration.ofSeconds(30))
            .timeout(Duration.ofMillis(150))
            .build());
    new ProbeMetrics(health).bindTo(registry);

    await().atMost(Duration.ofSeconds(5)).until(() -> failures("hangs") == 1);
    Timer timer = registry.get(ProbeMetrics.CHECK_DURATION).tag("check", "hangs").timer();
    assertThat(timer.count()).isEqualTo(1);
    assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(150.0);
    assertThat(checkStatus("hangs", Probe.READINESS)).isEqualTo(0.0);
  }

  @Test
  void checkGaugeIsNaNUntilTheFirstStatusThenOne() {
    CountDownLatch release = new CountDownLatch(1);
    new ProbeMetrics(health).bindTo(registry);
    health.register(
        "slow-start",
        () -> {
          release.await();
          return CheckResult.up();
        },
        CheckOptions.builder(Probe.STARTUP).timeout(Duration.ofSeconds(10)).build());

    assertThat(checkStatus("slow-start", Probe.STARTUP)).isNaN();
    assertThat(probeStatus(Probe.STARTUP)).isEqualTo(0.0);
    release.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> checkStatus("slow-start", Probe.STARTUP) == 1);
    assertThat(probeStatus(Probe.STARTUP)).isEqualTo(1.0);
  }

  @Test
  void checksRegisteredAfterBindingGetOneStatusGaugePerProbe() {
    new ProbeMetrics(health).bindTo(registry);
    assertThat(metersOf("cache")).isEmpty();

    health.register("cache", CheckResult::up, every20ms(Probe.LIVENESS, Probe.READINESS));

    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                checkStatus("cache", Probe.LIVENESS) == 1.0
                    && checkStatus("cache", Probe.READINESS) == 1.0);
    assertThat(registry.find(ProbeMetrics.CHECK_STATUS).tag("check", "cache").gauges()).hasSize(2);
    assertThat(registry.find(ProbeMetrics.CHECK_STATUS).tags("probe", "startup").gauges())
        .isEmpty();
  }

  @Test
  void unregisteringACheckRemovesItsMetersAtOnce() {
    health.register("old", CheckResult::up, every20ms(Probe.READINESS));
    health.register("kept", CheckResult::up, every20ms(Probe.READINESS));
    new ProbeMetrics(health).bindTo(registry);
    await().atMost(Duration.ofSeconds(5)).until(() -> runs("old") >= 1);
    assertThat(metersOf("old")).hasSize(3); // status gauge, duration timer, failures counter

    assertThat(health.unregister("old")).isTrue();

    // The listener runs inside unregister: nothing to wait for.
    assertThat(metersOf("old")).isEmpty();
    assertThat(metersOf("kept")).hasSize(3);

    // Registering the name again brings fresh meters, counting from zero.
    health.register("old", () -> CheckResult.down("again"), every20ms(Probe.LIVENESS));
    await().atMost(Duration.ofSeconds(5)).until(() -> failures("old") >= 1);
    assertThat(registry.find(ProbeMetrics.CHECK_STATUS).tag("check", "old").gauges())
        .singleElement()
        .satisfies(g -> assertThat(g.getId().getTag("probe")).isEqualTo("liveness"));
  }

  @Test
  void closeRemovesEveryMeterAndStopsListening() {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ZERO).build();
    health.register("db", CheckResult::up, every20ms(Probe.READINESS));
    ProbeMetrics metrics = new ProbeMetrics(health, lifecycle);
    metrics.bindTo(registry);
    assertThat(registry.getMeters()).hasSize(3 + 3 + 1 + DrainPhase.values().length);

    metrics.close();
    metrics.close();

    assertThat(registry.getMeters()).isEmpty();
    health.register("later", CheckResult::up, every20ms(Probe.READINESS));
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void inflightGaugeReadsTheLifecycleTracker() {
    Lifecycle lifecycle = Lifecycle.builder(health).build();
    new ProbeMetrics(health, lifecycle).bindTo(registry);
    Gauge inflight = registry.get(ProbeMetrics.INFLIGHT).gauge();
    assertThat(inflight.value()).isZero();

    lifecycle.inflight().enter();
    lifecycle.inflight().enter();
    assertThat(inflight.value()).isEqualTo(2.0);
    lifecycle.inflight().exit();
    assertThat(inflight.value()).isEqualTo(1.0);
    lifecycle.inflight().exit();
    assertThat(inflight.value()).isZero();
  }

  @Test
  void shutdownRecordsOneTimingPerPhaseAndDropsReadiness() {
    Lifecycle lifecycle =
        Lifecycle.builder(health)
            .preStopDelay(Duration.ZERO)
            .drainTimeout(Duration.ofSeconds(1))
            .build();
    lifecycle.addShutdownTask("noop", () -> {});
    health.register("db", CheckResult::up, every20ms(Probe.READINESS));
    new ProbeMetrics(health, lifecycle).bindTo(registry);
    await().atMost(Duration.ofSeconds(5)).until(() -> probeStatus(Probe.READINESS) == 1.0);
    for (DrainPhase phase : DrainPhase.values()) {
      assertThat(registry.get(ProbeMetrics.SHUTDOWN_PHASE).tag("phase", phase.tagValue()).timer()
              .count())
          .as("%s before shutdown", phase)
          .isZero();
    }

    lifecycle.shutdown();

    for (DrainPhase phase : DrainPhase.values()) {
      assertThat(registry.get(ProbeMetrics.SHUTDOWN_PHASE).tag("phase", phase.tagValue()).timer()
              .count())
          .as("%s after shutdown", phase)
          .isEqualTo(1);
    }
    assertThat(probeStatus(Probe.READINESS)).isZero();
    assertThat(probeStatus(Probe.LIVENESS)).isEqualTo(1.0);
  }

  @Test
  void shutdownPhaseTimerRecordsThePhasesDuration() {
    AtomicLong now = new AtomicLong();
    Lifecycle lifecycle =
        LifecycleTestHooks.ticker(
                Lifecycle.builder(health)
                    .preStopDelay(Duration.ZERO)
                    .drainTimeout(Duration.ofSeconds(1)),
                now::get)
            .build();
    lifecycle.addShutdownTask(
        "flush", () -> now.addAndGet(Duration.ofMillis(700).toNanos()));
    new ProbeMetrics(health, lifecycle).bindTo(registry);

    lifecycle.shutdown();

    Timer tasks =
        registry
            .get(ProbeMetrics.SHUTDOWN_PHASE)
            .tag("phase", DrainPhase.SHUTDOWN_TASKS.tagValue())
            .timer();
    assertThat(tasks.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(700.0);
  }

  @Test
  void namesBecomePrometheusStyleSnakeCase() {
    health.register("db", CheckResult::up, every20ms(Probe.READINESS));
    new ProbeMetrics(health).bindTo(registry);
    Meter.Id id =
        registry.get(ProbeMetrics.CHECK_STATUS).tags("check", "db", "probe", "readiness").gauge()
            .getId();

    assertThat(NamingConvention.snakeCase.name(id.getName(), id.getType()))
        .isEqualTo("probekit_check_status");
    assertThat(id.getTags()).extracting(t -> t.getKey() + "=" + t.getValue())
        .containsExactly("check=db", "probe=readiness");
    assertThat(
            NamingConvention.snakeCase.name(ProbeMetrics.SHUTDOWN_PHASE, Meter.Type.TIMER))
        .isEqualTo("probekit_shutdown_phase");
  }

  @Test
  void twoHealthsBindToOneRegistryWithoutSharingState() {
    try (HealthRegistry other = HealthRegistry.builder().defaultInterval(FAST).build()) {
      health.register("a", CheckResult::up, every20ms(Probe.READINESS));
      other.register("b", () -> CheckResult.down("no"), every20ms(Probe.READINESS));
      new ProbeMetrics(health).bindTo(registry);
      new ProbeMetrics(other).bindTo(new SimpleMeterRegistry());

      await().atMost(Duration.ofSeconds(5)).until(() -> checkStatus("a", Probe.READINESS) == 1.0);
      assertThat(metersOf("b")).isEmpty();
    }
  }

  @Test
  void bindingTwiceToOneRegistryCountsEveryRunOnce() {
    AtomicInteger runs = new AtomicInteger();
    ProbeMetrics metrics = new ProbeMetrics(health);
    metrics.bindTo(registry);
    metrics.bindTo(registry);
    // Registered after binding, so that its one run (the next is 10 minutes away) is seen.
    health.register(
        "once",
        () -> {
          runs.incrementAndGet();
          return CheckResult.down("no");
        },
        CheckOptions.builder(Probe.READINESS).interval(Duration.ofMinutes(10)).build());

    await().atMost(Duration.ofSeconds(5)).until(() -> failures("once") >= 1);
    assertThat(runs.get()).isEqualTo(1);
    assertThat(failures("once")).isEqualTo(1.0);
    assertThat(runs("once")).isEqualTo(1);
    assertThat(metersOf("once")).hasSize(3);
    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void bindsToTwoRegistriesAndCloseRemovesItsMetersFromBoth() {
    MeterRegistry second = new SimpleMeterRegistry();
    Lifecycle lifecycle =
        Lifecycle.builder(health).preStopDelay(Duration.ZERO).drainTimeout(Duration.ofSeconds(1)).build();
    health.register("db", CheckResult::up, every20ms(Probe.READINESS));
    ProbeMetrics metrics = new ProbeMetrics(health, lifecycle);
    metrics.bindTo(registry);
    metrics.bindTo(second);

    await().atMost(Duration.ofSeconds(5)).until(() -> checkStatus("db", Probe.READINESS) == 1.0);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> second.get(ProbeMetrics.CHECK_STATUS).tag("check", "db").gauge().value() == 1.0);
    // A check registered later gets its meters in both.
    health.register("late", CheckResult::up, every20ms(Probe.LIVENESS));
    // Listeners may be told by another thread that is dispatching "db"'s results meanwhile.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> second.find(ProbeMetrics.CHECK_STATUS).tag("check", "late").gauges().size() == 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> metersOf("late").size() == 3);

    lifecycle.shutdown();
    for (MeterRegistry r : List.of(registry, second)) {
      assertThat(r.get(ProbeMetrics.SHUTDOWN_PHASE).tag("phase", DrainPhase.DRAIN.tagValue()).timer().count())
          .isEqualTo(1);
    }

    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
    assertThat(second.getMeters()).isEmpty();
  }

  @Test
  void bindToAfterCloseThrowsAndRegistersNothing() {
    ProbeMetrics metrics = new ProbeMetrics(health);
    metrics.bindTo(registry);
    metrics.close();

    MeterRegistry other = new SimpleMeterRegistry();
    assertThatThrownBy(() -> metrics.bindTo(other))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("after close");
    assertThat(other.getMeters()).isEmpty();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void constructingRegistersNothingUntilBound() {
    health.register("db", CheckResult::up, every20ms(Probe.READINESS));
    ProbeMetrics metrics = new ProbeMetrics(health, Lifecycle.builder(health).build());
    assertThat(registry.getMeters()).isEmpty();

    metrics.bindTo(registry);
    assertThat(metersOf("db")).hasSize(3);
    assertThat(registry.find(ProbeMetrics.INFLIGHT).gauge()).isNotNull();
  }

  @Test
  void closeLetsTheBinderBeCollectedWhileTheHealthAndLifecycleLiveOn() {
    Lifecycle lifecycle = Lifecycle.builder(health).build();
    health.register("db", CheckResult::up, every20ms(Probe.READINESS));
    ProbeMetrics metrics = new ProbeMetrics(health, lifecycle);
    metrics.bindTo(registry);
    await().atMost(Duration.ofSeconds(5)).until(() -> runs("db") >= 1);
    WeakReference<ProbeMetrics> ref = new WeakReference<>(metrics);

    metrics.close();
    metrics = null;

    // Only the health's or the lifecycle's listener lists could still hold it.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              System.gc();
              return ref.get() == null;
            });
    assertThat(lifecycle.inflight().current()).isZero(); // both still in use
    assertThat(health.checkNames()).containsExactly("db");
  }

  @Test
  void concurrentBindsToSeveralRegistriesEachGetEveryCheckOnce() throws Exception {
    CheckOptions slow = CheckOptions.builder(Probe.READINESS).interval(Duration.ofMinutes(10)).build();
    for (int i = 0; i < 20; i++) {
      health.register("before-" + i, CheckResult::up, slow);
    }
    ProbeMetrics metrics = new ProbeMetrics(health);
    List<MeterRegistry> own = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      own.add(new SimpleMeterRegistry());
    }
    CountDownLatch start = new CountDownLatch(1);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
      for (MeterRegistry r : own) {
        done.add(pool.submit(() -> { start.await(); metrics.bindTo(r); return null; }));
        // Every thread also binds the shared registry: it must end up bound once.
        done.add(pool.submit(() -> { start.await(); metrics.bindTo(registry); return null; }));
      }
      done.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < 10; i++) {
                  health.register("during-" + i, CheckResult::up, slow);
                }
                return null;
              }));
      start.countDown();
      for (java.util.concurrent.Future<?> f : done) {
        f.get(20, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    // Registration events may still be on their way from a thread dispatching results.
    for (MeterRegistry r : own) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> r.find(ProbeMetrics.CHECK_STATUS).gauges().size() == 30);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> registry.find(ProbeMetrics.CHECK_STATUS).gauges().size() == 30);
    assertThat(registry.find(ProbeMetrics.PROBE_STATUS).gauges()).hasSize(Probe.values().length);
    metrics.close();
    for (MeterRegistry r : own) {
      assertThat(r.getMeters()).isEmpty();
    }
    assertThat(registry.getMeters()).isEmpty();
  }
}
