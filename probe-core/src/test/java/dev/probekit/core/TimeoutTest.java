package dev.probekit.core;

import static dev.probekit.core.HealthFixture.awaitStatus;
import static dev.probekit.core.HealthFixture.message;
import static dev.probekit.core.HealthFixture.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A run past its timeout is DOWN "timed out after ...", and its thread is interrupted. */
class TimeoutTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  @Test
  void runPastItsTimeoutIsDownWithATimedOutMessage() {
    // One run only: a later tick that finds the interrupted run not yet returned would record
    // "...; still running" instead (see perCheckTimeoutOverridesTheHealthDefault).
    HealthRegistry health = fixture.health(b -> b.defaultInterval(Duration.ofHours(1)));
    CountDownLatch never = fixture.latch();
    health.register(
        "slow",
        () -> {
          never.await();
          return CheckResult.up();
        },
        CheckOptions.builder(Probe.READINESS).timeout(Duration.ofMillis(50)).build());

    awaitStatus(health, "slow", Status.DOWN);
    CheckResult result = health.check("slow").orElseThrow().lastResult().orElseThrow();
    assertThat(result.message()).hasValue("timed out after 50ms");
    assertThat(result.duration()).hasValue(Duration.ofMillis(50));
    assertThat(result.time()).isPresent();
    assertThat(health.snapshot(Probe.READINESS).status()).isEqualTo(Status.DOWN);
  }

  @Test
  void timedOutMessageIsShownOnlyWithDetails() {
    // One run only: with the usual 20 ms interval a later tick that finds the interrupted run not
    // yet returned would replace the message with "...; still running" before it is read.
    HealthRegistry health = fixture.health(b -> b.defaultInterval(Duration.ofHours(1)));
    CountDownLatch never = fixture.latch();
    health.register(
        "slow",
        () -> {
          never.await();
          return CheckResult.up();
        },
        CheckOptions.builder(Probe.READINESS).timeout(Duration.ofSeconds(1)).build());
    awaitStatus(health, "slow", Status.DOWN);

    ProbeResponse withDetails =
        ProbeEndpoints.builder(health).detailsPolicy(DetailsPolicy.always()).build()
            .handle("GET", "/readyz", "verbose", null);
    assertThat(withDetails.status()).isEqualTo(503);
    assertThat(withDetails.bodyAsString()).isEqualTo("[-]slow failed: timed out after 1s\nreadiness check failed\n");
    ProbeResponse withheld = ProbeEndpoints.of(health).handle("GET", "/readyz", "verbose", null);
    assertThat(withheld.bodyAsString()).isEqualTo("[-]slow failed: reason withheld\nreadiness check failed\n");
  }

  @Test
  void timedOutRunIsInterrupted() {
    HealthRegistry health = fixture.health();
    CountDownLatch never = fixture.latch();
    AtomicInteger interrupted = new AtomicInteger();
    health.register(
        "slow",
        () -> {
          try {
            never.await();
          } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw e;
          }
          return CheckResult.up();
        },
        CheckOptions.builder(Probe.READINESS).timeout(Duration.ofMillis(30)).build());

    waiting().until(() -> interrupted.get() >= 2);
    // The timeout itself, or a tick that found an interrupted run not yet returned.
    assertThat(message(health, "slow")).startsWith("timed out after 30ms");
  }

  @Test
  void perCheckTimeoutOverridesTheHealthDefault() {
    HealthRegistry health = fixture.health(b -> b.defaultTimeout(Duration.ofMillis(70)));
    CountDownLatch never = fixture.latch();
    HealthCheck blocked =
        () -> {
          never.await();
          return CheckResult.up();
        };
    health.register("inherits", blocked, CheckOptions.of(Probe.READINESS));
    health.register("overrides", blocked, CheckOptions.builder(Probe.READINESS).timeout(Duration.ofMillis(40)).build());

    awaitStatus(health, "inherits", Status.DOWN);
    awaitStatus(health, "overrides", Status.DOWN);
    // Either the timeout itself or a later tick that finds the interrupted run not yet returned
    // ("...; still running"): both name the timeout that applied.
    assertThat(message(health, "inherits")).startsWith("timed out after 70ms");
    assertThat(message(health, "overrides")).startsWith("timed out after 40ms");
  }

  @Test
  void eachTimedOutRunCountsTowardTheFailureThreshold() {
    // 600 ms between runs and a 150 ms timeout: the first, fast run has 150 ms to get a thread
    // and answer UP, and each interrupted run has 450 ms to return before the next tick (both
    // enough on a heavily loaded machine), so every failure counted here is a fresh run that
    // timed out, not a tick that found the previous one still running.
    HealthRegistry health = fixture.health(b -> b.defaultInterval(Duration.ofMillis(600)));
    CountDownLatch never = fixture.latch();
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger slowRunsAtTransition = new AtomicInteger(-1);
    List<String> failures = new CopyOnWriteArrayList<>();
    AtomicReference<Status> downFrom = new AtomicReference<>();
    // Added before the check exists, so neither transition can be missed however late this
    // thread gets to look: the UP lasts only until the third slow run times out.
    health.addListener(
        new HealthListener() {
          @Override
          public void onResult(CheckState state) {
            // Called before onTransition for the same result, so the third failure is here too.
            if (slowRunsAtTransition.get() < 0) {
              state.lastResult().filter(r -> !r.isUp()).flatMap(CheckResult::message).ifPresent(failures::add);
            }
          }

          @Override
          public void onTransition(String name, CheckState previous, CheckState current) {
            if (current.status() == Status.DOWN) {
              // Called under the evaluator's lock at the transition, before the third slow run
              // is interrupted, so no fourth run can have started yet.
              slowRunsAtTransition.set(runs.get() - 1);
              downFrom.set(previous.status());
            }
          }
        });
    health.register(
        "slow",
        () -> {
          if (runs.incrementAndGet() == 1) {
            return CheckResult.up();
          }
          never.await();
          return CheckResult.up();
        },
        CheckOptions.builder(Probe.READINESS).timeout(Duration.ofMillis(150)).failureThreshold(3).build());

    waiting().atMost(Duration.ofSeconds(10)).until(() -> slowRunsAtTransition.get() >= 0);
    assertThat(downFrom.get()).isEqualTo(Status.UP);
    assertThat(failures).containsExactly("timed out after 150ms", "timed out after 150ms", "timed out after 150ms");
    assertThat(slowRunsAtTransition.get()).isEqualTo(3);
    assertThat(health.check("slow").orElseThrow().status()).isEqualTo(Status.DOWN);
  }

  @Test
  void runWhoseTimeoutFiresBeforeItGetsAThreadIsNotLeftHanging() {
    // An executor whose threads start a run only once the gate opens: the first run's timeout
    // fires while it still waits for its thread, as on a heavily loaded machine. Nothing is
    // left to interrupt it then, so the check must not be called for that run at all.
    CountDownLatch gate = fixture.latch();
    ExecutorService late =
        new ThreadPoolExecutor(0, Integer.MAX_VALUE, 1, TimeUnit.MINUTES, new SynchronousQueue<>()) {
          @Override
          protected void beforeExecute(Thread thread, Runnable task) {
            try {
              gate.await();
            } catch (InterruptedException e) {
              thread.interrupt();
            }
          }
        };
    fixture.onCleanup(late::shutdownNow);
    HealthRegistry health = fixture.health(b -> b.checkExecutor(late));
    CountDownLatch never = fixture.latch();
    AtomicInteger interrupted = new AtomicInteger();
    health.register(
        "slow",
        () -> {
          try {
            never.await();
          } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw e;
          }
          return CheckResult.up();
        },
        CheckOptions.builder(Probe.READINESS).timeout(Duration.ofMillis(30)).build());
    awaitStatus(health, "slow", Status.DOWN);

    gate.countDown();
    // Every run the check's code sees is one whose timeout can still interrupt it: were the
    // late first run called, it would block forever and no later run would ever start.
    waiting().until(() -> interrupted.get() >= 2);
    assertThat(message(health, "slow")).startsWith("timed out after 30ms");
  }

  @Test
  void checkThatTimedOutIsUpAgainOnceItAnswersInTime() {
    HealthRegistry health = fixture.health();
    CountDownLatch slow = fixture.latch();
    health.register(
        "recovering",
        () -> {
          slow.await();
          return CheckResult.up("fast again");
        },
        // Long enough for a fast run to get a thread and answer on a loaded machine.
        CheckOptions.builder(Probe.READINESS).timeout(Duration.ofMillis(200)).build());
    awaitStatus(health, "recovering", Status.DOWN);

    slow.countDown();
    awaitStatus(health, "recovering", Status.UP);
    assertThat(message(health, "recovering")).isEqualTo("fast again");
  }

  @Test
  void probesNeverRunOrWaitForChecks() {
    HealthRegistry health = fixture.health(b -> b.defaultInterval(Duration.ofHours(1)));
    CountDownLatch never = fixture.latch();
    AtomicInteger runs = new AtomicInteger();
    health.register(
        "blocked",
        () -> {
          runs.incrementAndGet();
          never.await();
          return CheckResult.up();
        },
        CheckOptions.builder(Probe.READINESS).timeout(Duration.ofHours(1)).build());
    waiting().until(() -> runs.get() == 1);
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);

    List<Integer> statuses = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < 1000; i++) {
      statuses.add(endpoints.handle("GET", "/readyz", i % 2 == 0 ? null : "verbose", null).status());
    }
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(statuses).containsOnly(503);
    assertThat(runs.get()).as("1000 probes ran no check").isEqualTo(1);
    assertThat(millis).as("1000 probes of a hung check").isLessThan(2_000);
  }
}
