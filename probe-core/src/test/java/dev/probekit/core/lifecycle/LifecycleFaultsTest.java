package dev.probekit.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ListenerRegistration;
import dev.probekit.core.Probe;
import dev.probekit.core.internal.Failures;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing user code throws stops the sequence; a pre-stop call cannot strand the process.
 * (Signals, the exit status and the watchdog are covered in child JVMs by integration-tests'
 * {@code dev.probekit.it.faults}.)
 */
class LifecycleFaultsTest {
  private final HealthRegistry health = HealthRegistry.builder().build();
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void close() {
    pool.shutdownNow();
    health.close();
  }

  /** An exception whose message cannot even be read. */
  static final class Unreadable extends RuntimeException {
    @Override
    public String getMessage() {
      throw new IllegalStateException("getMessage() is broken too");
    }
  }

  @Test
  void errorsInActionsListenersAndTasksAreFaultsAndTheSequenceGoesOn() {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ZERO).build();
    List<String> told = new CopyOnWriteArrayList<>();
    List<DrainPhase> completed = new CopyOnWriteArrayList<>();
    AtomicInteger laterActions = new AtomicInteger();
    AtomicInteger tasksRun = new AtomicInteger();
    lifecycle.onStopAccepting("asserts", () -> { throw new AssertionError("boom"); });
    lifecycle.onStopAccepting("no-class", () -> { throw new NoClassDefFoundError("com/acme/Gone"); });
    lifecycle.onStopAccepting("unreadable", () -> { throw new Unreadable(); });
    lifecycle.onStopAccepting("fine", laterActions::incrementAndGet);
    lifecycle.addListener(
        (phase, took) -> {
          if (phase == DrainPhase.STOP_ACCEPTING) {
            throw new OutOfMemoryError("listener OOM");
          }
        });
    lifecycle.addListener(
        new LifecycleListener() {
          @Override
          public void onPhaseCompleted(DrainPhase phase, Duration took) {
            completed.add(phase);
          }

          @Override
          public void onFault(DrainPhase phase, String description) {
            told.add(phase.tagValue() + " " + description);
          }
        });
    lifecycle.addShutdownTask("first-registered", tasksRun::incrementAndGet);
    lifecycle.addShutdownTask("linkage", () -> { throw new NoClassDefFoundError("org/x/Y"); });

    ShutdownSummary summary = lifecycle.shutdown();

    assertThat(laterActions).hasValue(1);
    assertThat(tasksRun).hasValue(1);
    assertThat(completed).containsExactly(DrainPhase.values());
    assertThat(summary.failedTasks()).containsExactly("linkage");
    assertThat(summary.faults())
        .containsExactly(
            "stop-accepting: stop-accepting action 'asserts' threw AssertionError: boom",
            "stop-accepting: stop-accepting action 'no-class' threw NoClassDefFoundError: com/acme/Gone",
            "stop-accepting: stop-accepting action 'unreadable' threw " + Unreadable.class.getSimpleName(),
            "stop-accepting: lifecycle listener "
                + summary.faults().get(3).substring(summary.faults().get(3).indexOf("listener ") + 9,
                    summary.faults().get(3).indexOf(" on stop-accepting"))
                + " on stop-accepting threw OutOfMemoryError: listener OOM");
    assertThat(summary.isClean()).isFalse();
    assertThat(summary.toString()).contains("tasks failed=1 [linkage]", "faults=4 [");
    // Told once per fault, tasks included.
    assertThat(told).hasSize(5);
    assertThat(told.get(4)).isEqualTo("shutdown-tasks shutdown task 'linkage' threw NoClassDefFoundError: org/x/Y");
    assertThat(lifecycle.summary()).containsSame(summary);
  }

  @Test
  void aCleanShutdownIsClean() {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ZERO).build();
    ShutdownSummary summary = lifecycle.shutdown();
    assertThat(summary.isClean()).isTrue();
    assertThat(summary.faults()).isEmpty();
    assertThat(summary.toString()).endsWith("tasks failed=0, faults=0");
  }

  @Test
  void aRemovedListenerIsNoLongerTold() {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ZERO).build();
    AtomicInteger removed = new AtomicInteger();
    AtomicInteger kept = new AtomicInteger();
    ListenerRegistration registration = lifecycle.addListener((phase, took) -> removed.incrementAndGet());
    lifecycle.addListener((phase, took) -> kept.incrementAndGet());

    registration.close();
    registration.close();
    lifecycle.shutdown();

    assertThat(removed).hasValue(0);
    assertThat(kept).hasValue(DrainPhase.values().length);
  }

  @Test
  void preStopFailsWhenReadinessCannotBeAnnouncedButStillServesItsDelay() throws Exception {
    health.addProbeListener(
        (previous, current) -> {
          throw new OutOfMemoryError("probe listener");
        });
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofMillis(200)).build();
    health.readiness().clear();

    long start = System.nanoTime();
    CompletableFuture<Void> done = lifecycle.preStopAsync().toCompletableFuture();

    assertThatThrownBy(() -> done.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("pre-stop step failed")
        .hasMessageContaining("OutOfMemoryError: probe listener");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
    // Readiness went DOWN all the same (the listener failed after the change), and the rest runs.
    assertThat(health.snapshot(Probe.READINESS).isUp()).isFalse();
    ShutdownSummary summary = lifecycle.shutdown();
    assertThat(summary.faults()).singleElement().asString().startsWith("announce: readiness DOWN threw OutOfMemoryError");
  }

  @Test
  void preStopWithoutShutdownResumesNormalServiceAfterTheGracePeriod() throws Exception {
    health.register("db", CheckResult::up, CheckOptions.builder(Probe.READINESS).interval(Duration.ofMillis(20)).build());
    await().atMost(Duration.ofSeconds(5)).until(() -> health.snapshot(Probe.READINESS).isUp());
    Lifecycle lifecycle =
        Lifecycle.builder(health)
            .preStopDelay(Duration.ofMillis(100))
            .drainTimeout(Duration.ofMillis(300))
            .gracePeriod(Duration.ofMillis(800))
            .safetyMargin(Duration.ofMillis(100))
            .build();

    lifecycle.preStopAsync().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(lifecycle.isDraining()).isTrue();
    assertThat(health.snapshot(Probe.READINESS).isUp()).isFalse();

    await().atMost(Duration.ofSeconds(5)).until(() -> !lifecycle.isDraining());
    await().atMost(Duration.ofSeconds(5)).until(() -> health.snapshot(Probe.READINESS).isUp());

    // A later pre-stop starts over (announce and delay again), and so does the shutdown after it.
    List<DrainPhase> phases = new CopyOnWriteArrayList<>();
    lifecycle.addListener((phase, took) -> phases.add(phase));
    ShutdownSummary summary = lifecycle.shutdown();
    assertThat(phases).containsExactly(DrainPhase.values());
    assertThat(summary.isClean()).isTrue();
  }

  @Test
  void aShutdownLongAfterPreStopStillDrainsTheRequestInFlight() throws Exception {
    health.register("db", CheckResult::up, CheckOptions.builder(Probe.READINESS).interval(Duration.ofMillis(20)).build());
    await().atMost(Duration.ofSeconds(5)).until(() -> health.snapshot(Probe.READINESS).isUp());
    Lifecycle lifecycle =
        Lifecycle.builder(health)
            .preStopDelay(Duration.ofMillis(100))
            .drainTimeout(Duration.ofSeconds(2))
            .gracePeriod(Duration.ofSeconds(3))
            .safetyMargin(Duration.ofMillis(200))
            .build();
    AtomicInteger taskRuns = new AtomicInteger();
    lifecycle.addShutdownTask("pool", taskRuns::incrementAndGet);
    lifecycle.preStopAsync().toCompletableFuture().get(5, TimeUnit.SECONDS);
    // Well past the delay: without the rebase, 2.8 s - 2.0 s would leave the drain 0.8 s.
    await().pollDelay(Duration.ofMillis(2_000)).atMost(Duration.ofSeconds(5)).until(() -> true);
    CountDownLatch release = new CountDownLatch(1);
    lifecycle.inflight().enter();
    pool.execute(
        () -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            lifecycle.inflight().exit();
          }
        });
    pool.execute(
        () -> {
          // Finishes 1.2 s into the drain: only a budget measured from the shutdown allows that.
          await().pollDelay(Duration.ofMillis(1_200)).atMost(Duration.ofSeconds(5)).until(() -> true);
          release.countDown();
        });

    ShutdownSummary summary = lifecycle.shutdown();

    assertThat(summary.requestsAbandoned()).isZero();
    assertThat(summary.requestsDrained()).isEqualTo(1);
    assertThat(taskRuns).hasValue(1);
    assertThat(summary.failedTasks()).isEmpty();
  }

  @Test
  void aSecondShutdownJoinsTheFirstAndRunsNoStepTwice() throws Exception {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofMillis(100)).build();
    AtomicInteger actions = new AtomicInteger();
    lifecycle.onStopAccepting("app", actions::incrementAndGet);
    CompletableFuture<ShutdownSummary> first = CompletableFuture.supplyAsync(lifecycle::shutdown, pool);
    CompletableFuture<ShutdownSummary> second = CompletableFuture.supplyAsync(lifecycle::shutdown, pool);
    assertThat(first.get(5, TimeUnit.SECONDS)).isSameAs(second.get(5, TimeUnit.SECONDS));
    assertThat(actions).hasValue(1);
  }

  @Test
  void failureDescriptionsNeverThrow() {
    assertThat(Failures.describeBriefly(new Unreadable())).isEqualTo(Unreadable.class.getSimpleName());
    assertThat(Failures.describeBriefly(new AssertionError("x"))).isEqualTo("AssertionError: x");
    Object hostile =
        new Object() {
          @Override
          public String toString() {
            throw new IllegalStateException("no");
          }
        };
    assertThat(Failures.name(hostile)).isEqualTo(hostile.getClass().getName());
    Throwable printable = Failures.loggable(new RuntimeException("outer", new Unreadable()));
    assertThat(printable).isInstanceOf(IllegalStateException.class);
    assertThat(printable.getMessage()).contains("RuntimeException");
  }
}
