package dev.probekit.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The drain sequence run from code: phases, budget, in-flight accounting and shutdown tasks. */
class LifecycleDrainTest {
  private final HealthRegistry health = HealthRegistry.builder().build();
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<CountDownLatch> toRelease = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    toRelease.forEach(CountDownLatch::countDown);
    pool.shutdownNow();
    health.close();
  }

  /** Starts a "request" that stays in flight until the returned latch is released. */
  private CountDownLatch request(InflightTracker tracker) {
    CountDownLatch done = new CountDownLatch(1);
    toRelease.add(done);
    tracker.enter();
    pool.execute(
        () -> {
          try {
            done.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            tracker.exit();
          }
        });
    return done;
  }

  private static Map<DrainPhase, AtomicInteger> countPhases(Lifecycle lifecycle) {
    Map<DrainPhase, AtomicInteger> counts = new EnumMap<>(DrainPhase.class);
    for (DrainPhase phase : DrainPhase.values()) {
      counts.put(phase, new AtomicInteger());
    }
    lifecycle.addListener((phase, took) -> counts.get(phase).incrementAndGet());
    return counts;
  }

  @Test
  void requestsStillRunningAtTheDrainDeadlineAreCountedAsAbandoned() {
    Lifecycle lifecycle =
        Lifecycle.builder(health).preStopDelay(Duration.ZERO).drainTimeout(Duration.ofMillis(300)).build();
    InflightTracker tracker = lifecycle.inflight();
    CountDownLatch quick = request(tracker);
    request(tracker); // never released before the deadline
    request(tracker);
    lifecycle.onStopAccepting("finish-one", quick::countDown);

    long start = System.nanoTime();
    ShutdownSummary summary = lifecycle.shutdown();
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(summary.requestsDrained()).isEqualTo(1);
    assertThat(summary.requestsAbandoned()).isEqualTo(2);
    assertThat(summary.phaseDurations().get(DrainPhase.DRAIN)).isBetween(Duration.ofMillis(290), Duration.ofSeconds(2));
    assertThat(tookMillis).isBetween(290L, 2_000L);
    assertThat(summary.toString()).contains("requests drained=1", "abandoned=2");
  }

  @Test
  void drainEndsAsSoonAsTheLastRequestFinishes() {
    Lifecycle lifecycle =
        Lifecycle.builder(health).preStopDelay(Duration.ZERO).drainTimeout(Duration.ofSeconds(10)).build();
    CountDownLatch a = request(lifecycle.inflight());
    CountDownLatch b = request(lifecycle.inflight());
    lifecycle.addListener(
        (phase, took) -> {
          if (phase == DrainPhase.STOP_ACCEPTING) {
            pool.execute(a::countDown);
            pool.execute(b::countDown);
          }
        });

    ShutdownSummary summary = lifecycle.shutdown();

    assertThat(summary.requestsDrained()).isEqualTo(2);
    assertThat(summary.requestsAbandoned()).isZero();
    assertThat(summary.phaseDurations().get(DrainPhase.DRAIN)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void tasksRunInReverseRegistrationOrderAndCloseLastResourcesAfterThem() {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ZERO).build();
    List<String> order = new CopyOnWriteArrayList<>();
    lifecycle.closeLast("probe-server", () -> order.add("probe-server"));
    lifecycle.addShutdownTask("pool", () -> order.add("pool"));
    lifecycle.addShutdownTask("client", () -> order.add("client"));
    lifecycle.closeLast("metrics", () -> order.add("metrics"));
    lifecycle.addShutdownTask("server", () -> order.add("server"));

    ShutdownSummary summary = lifecycle.shutdown();

    assertThat(order).containsExactly("server", "client", "pool", "metrics", "probe-server");
    assertThat(summary.failedTasks()).isEmpty();
  }

  @Test
  void hangingTaskTimesOutAndTheOthersStillRun() {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ZERO).build();
    List<String> ran = new CopyOnWriteArrayList<>();
    CountDownLatch never = new CountDownLatch(1);
    toRelease.add(never);
    lifecycle.addShutdownTask("first-registered", () -> ran.add("first-registered"));
    lifecycle.addShutdownTask(
        "deaf",
        Duration.ofMillis(200),
        () -> {
          // Ignores interrupts: the lifecycle must give up on it, not wait for it.
          while (never.getCount() > 0) {
            try {
              never.await();
            } catch (InterruptedException ignored) {
              // deliberately deaf to the timeout's interrupt
            }
          }
        });
    lifecycle.addShutdownTask("throws", () -> {
      throw new IllegalStateException("flush failed");
    });
    lifecycle.addShutdownTask("hangs", Duration.ofMillis(200), never::await);
    lifecycle.addShutdownTask("last-registered", () -> ran.add("last-registered"));

    long start = System.nanoTime();
    ShutdownSummary summary = lifecycle.shutdown();
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(ran).containsExactly("last-registered", "first-registered");
    assertThat(summary.failedTasks()).containsExactly("hangs", "throws", "deaf");
    assertThat(tookMillis).isBetween(390L, 3_000L);
    assertThat(summary.toString()).contains("tasks failed=3 [hangs, throws, deaf]");
  }

  @Test
  void preStopThenShutdownRunsNoStepTwiceAndDoesNotWaitAgain() throws Exception {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofMillis(1_000)).build();
    Map<DrainPhase, AtomicInteger> counts = countPhases(lifecycle);
    AtomicInteger taskRuns = new AtomicInteger();
    AtomicInteger stopRuns = new AtomicInteger();
    lifecycle.addShutdownTask("task", taskRuns::incrementAndGet);
    lifecycle.onStopAccepting("listener", stopRuns::incrementAndGet);

    long start = System.nanoTime();
    lifecycle.preStop();
    long preStopMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(preStopMillis).isGreaterThanOrEqualTo(990);
    assertThat(lifecycle.lastCompletedPhase()).contains(DrainPhase.PRE_STOP_DELAY);
    lifecycle.preStop(); // again: returns at once

    // Then SIGTERM, twice, and code: concurrently.
    List<Future<ShutdownSummary>> calls = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < 4; i++) {
      calls.add(pool.submit(lifecycle::shutdown));
    }
    List<ShutdownSummary> summaries = new ArrayList<>();
    for (Future<ShutdownSummary> call : calls) {
      summaries.add(call.get(5, TimeUnit.SECONDS));
    }
    long shutdownMillis = (System.nanoTime() - t0) / 1_000_000;

    assertThat(shutdownMillis).as("no second pre-stop delay").isLessThan(900);
    assertThat(summaries).allSatisfy(s -> assertThat(s).isSameAs(summaries.get(0)));
    assertThat(lifecycle.summary()).containsSame(summaries.get(0));
    assertThat(counts).allSatisfy((phase, n) -> assertThat(n.get()).as(phase.name()).isEqualTo(1));
    assertThat(taskRuns.get()).isEqualTo(1);
    assertThat(stopRuns.get()).isEqualTo(1);
    assertThat(lifecycle.shutdown()).isSameAs(summaries.get(0));
  }

  @Test
  void announceDropsReadinessAtOnceAndKeepsLivenessUp() {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofSeconds(5)).build();
    assertThat(lifecycle.isDraining()).isFalse();
    assertThat(health.snapshot(Probe.READINESS).isUp()).isTrue();

    CompletableFuture<Void> preStop = lifecycle.preStopAsync().toCompletableFuture();

    await().atMost(Duration.ofMillis(500)).until(lifecycle::isDraining);
    assertThat(health.snapshot(Probe.READINESS).isUp()).isFalse();
    assertThat(health.readiness().reason()).contains("shutting down");
    assertThat(health.snapshot(Probe.LIVENESS).isUp()).isTrue();
    assertThat(preStop).isNotDone();
  }

  @Test
  void preStopAsyncCompletesWhenTheDelayIsOverAndCannotBeCompletedByCallers() throws Exception {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofMillis(300)).build();
    long start = System.nanoTime();
    CompletableFuture<Void> first = lifecycle.preStopAsync().toCompletableFuture();
    CompletableFuture<Void> second = lifecycle.preStopAsync().toCompletableFuture();
    first.complete(null); // a caller's copy: must not end the lifecycle's own delay
    second.get(3, TimeUnit.SECONDS);
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(tookMillis).isGreaterThanOrEqualTo(290);
    assertThat(lifecycle.lastCompletedPhase()).contains(DrainPhase.PRE_STOP_DELAY);
  }

  @Test
  void serviceThatWasNeverReadySkipsThePreStopDelay() {
    health.register(
        "db", () -> CheckResult.down("not yet"), CheckOptions.of(Probe.READINESS));
    await().until(() -> health.check("db").orElseThrow().status() == Status.DOWN);
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofSeconds(5)).build();

    long start = System.nanoTime();
    ShutdownSummary summary = lifecycle.shutdown();

    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
    assertThat(summary.phaseDurations().get(DrainPhase.PRE_STOP_DELAY)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void serviceThatWasReadyOnceKeepsThePreStopDelayEvenIfNowDown() {
    AtomicInteger runs = new AtomicInteger();
    health.register(
        "db",
        () -> runs.incrementAndGet() == 1 ? CheckResult.up() : CheckResult.down("lost"),
        CheckOptions.builder(Probe.READINESS).interval(Duration.ofMillis(50)).build());
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofMillis(300)).build();
    await().until(() -> runs.get() >= 2 && !health.snapshot(Probe.READINESS).isUp());

    ShutdownSummary summary = lifecycle.shutdown();

    assertThat(summary.phaseDurations().get(DrainPhase.PRE_STOP_DELAY))
        .isGreaterThanOrEqualTo(Duration.ofMillis(290));
  }

  @Test
  void serviceWithoutReadinessChecksKeepsThePreStopDelay() {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofMillis(300)).build();

    ShutdownSummary summary = lifecycle.shutdown();

    assertThat(summary.phaseDurations().get(DrainPhase.PRE_STOP_DELAY))
        .isGreaterThanOrEqualTo(Duration.ofMillis(290));
  }

  @Test
  void serviceWithoutChecksHeldDownWhileStartingKeepsThePreStopDelayOnceReleased() {
    // A framework holds readiness DOWN until it accepts traffic, then DOWN again as it closes
    // (Spring's REFUSING_TRAFFIC): the pod was ready in between, so balancers must be given time.
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofMillis(300)).build();
    health.readiness().down("starting");
    health.readiness().clear();
    health.readiness().down("refusing traffic");

    ShutdownSummary summary = lifecycle.shutdown();

    assertThat(summary.phaseDurations().get(DrainPhase.PRE_STOP_DELAY))
        .isGreaterThanOrEqualTo(Duration.ofMillis(290));
  }

  @Test
  void lifecycleBuiltBeforeTheChecksStillSkipsTheDelayDuringStartUp() {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofSeconds(5)).build();
    health.register("db", () -> CheckResult.down("not yet"), CheckOptions.of(Probe.READINESS));
    await().until(() -> health.check("db").orElseThrow().status() == Status.DOWN);

    ShutdownSummary summary = lifecycle.shutdown();

    assertThat(summary.phaseDurations().get(DrainPhase.PRE_STOP_DELAY)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void gracePeriodCapsTheDrain() {
    Lifecycle lifecycle =
        Lifecycle.builder(health)
            .preStopDelay(Duration.ZERO)
            .drainTimeout(Duration.ofSeconds(20))
            .gracePeriod(Duration.ofMillis(1_000))
            .safetyMargin(Duration.ofMillis(600))
            .build();
    request(lifecycle.inflight());

    long start = System.nanoTime();
    ShutdownSummary summary = lifecycle.shutdown();
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(tookMillis).isBetween(380L, 2_000L);
    assertThat(summary.requestsAbandoned()).isEqualTo(1);
  }

  @Test
  void stopAcceptingActionThatThrowsDoesNotStopTheOthers() {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ZERO).build();
    List<String> ran = new CopyOnWriteArrayList<>();
    lifecycle.onStopAccepting("bad", () -> {
      throw new IllegalStateException("boom");
    });
    lifecycle.onStopAccepting("good", () -> ran.add("good"));

    lifecycle.shutdown();

    assertThat(ran).containsExactly("good");
    assertThat(lifecycle.lastCompletedPhase()).contains(DrainPhase.SHUTDOWN_TASKS);
  }
}
