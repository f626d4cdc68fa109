package dev.probekit.core;

import static dev.probekit.core.HealthFixture.awaitStatus;
import static dev.probekit.core.HealthFixture.liveThreads;
import static dev.probekit.core.HealthFixture.message;
import static dev.probekit.core.HealthFixture.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A check that blocks forever and ignores interrupts stays DOWN, is never run twice at once, and
 * holds one thread, however many intervals pass.
 */
class HungCheckTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  /** Two ways to hang that no interrupt can end. */
  enum Hang {
    /** Waits on a latch and swallows every interrupt. */
    LATCH_IGNORING_INTERRUPTS,
    /** Waits to enter a monitor that another thread holds. */
    MONITOR_HELD_BY_ANOTHER_THREAD
  }

  @ParameterizedTest
  @EnumSource(Hang.class)
  void hungCheckStaysDownIsNeverRunTwiceAndHoldsOneThread(Hang hang) throws Exception {
    Set<Thread> before = liveThreads("probekit-check");
    HealthCheck hung = hangingCheck(hang);
    AtomicInteger entered = new AtomicInteger();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    AtomicInteger clockRuns = new AtomicInteger();
    AtomicInteger maxThreads = new AtomicInteger();
    HealthRegistry health = fixture.health();
    health.register(
        "hung",
        () -> {
          entered.incrementAndGet();
          maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
          try {
            return hung.check();
          } finally {
            inside.decrementAndGet();
          }
        },
        CheckOptions.builder(Probe.READINESS).timeout(Duration.ofMillis(50)).build());
    // A second check on the same schedule: it measures time in intervals and samples the number
    // of check threads this HealthRegistry has started, from inside the pool.
    health.register(
        "clock",
        () -> {
          clockRuns.incrementAndGet();
          Set<Thread> ours = new HashSet<>(liveThreads("probekit-check"));
          ours.removeAll(before);
          maxThreads.accumulateAndGet(ours.size(), Math::max);
          return CheckResult.up();
        },
        CheckOptions.of(Probe.LIVENESS));

    awaitStatus(health, "hung", Status.DOWN);
    waiting().until(() -> clockRuns.get() >= 40);

    assertThat(health.check("hung").orElseThrow().status()).isEqualTo(Status.DOWN);
    assertThat(message(health, "hung")).startsWith("timed out after 50ms");
    assertThat(health.snapshot(Probe.READINESS).status()).isEqualTo(Status.DOWN);
    assertThat(health.snapshot(Probe.LIVENESS).status()).isEqualTo(Status.UP);
    assertThat(entered.get()).as("started once in %s intervals", clockRuns.get()).isEqualTo(1);
    assertThat(maxInside.get()).isEqualTo(1);
    // One thread for the hung check, one for the clock, and at most one spare that the pool may
    // add when a tick lands while the clock's thread is still on its way back to the pool. An
    // unbounded design would have started one thread per interval: 40 or more.
    assertThat(maxThreads.get()).as("check threads over %s intervals", clockRuns.get()).isBetween(1, 3);
    Set<Thread> now = new HashSet<>(liveThreads("probekit-check"));
    now.removeAll(before);
    assertThat(now).hasSizeBetween(1, 3);
  }

  @Test
  void checkThatWasUpAndThenHangsReachesItsFailureThreshold() {
    HealthRegistry health = fixture.health();
    CountDownLatch release = fixture.latch();
    AtomicInteger runs = new AtomicInteger();
    health.register(
        "hangs-later",
        () -> {
          if (runs.incrementAndGet() == 1) {
            return CheckResult.up();
          }
          awaitIgnoringInterrupts(release);
          return CheckResult.up();
        },
        CheckOptions.builder(Probe.READINESS).timeout(Duration.ofMillis(30)).failureThreshold(3).build());
    awaitStatus(health, "hangs-later", Status.UP);

    // The hung run times out once; every later tick that finds it still hanging is one more
    // failure, so the threshold of 3 is reached although the code never returns.
    awaitStatus(health, "hangs-later", Status.DOWN);
    assertThat(runs.get()).as("never started again while hung").isEqualTo(2);
    assertThat(message(health, "hangs-later")).isEqualTo("timed out after 30ms; still running");
  }

  @Test
  void hungCheckThatFinallyReturnsIsRunAgainAndRecovers() {
    HealthRegistry health = fixture.health();
    CountDownLatch release = fixture.latch();
    AtomicInteger runs = new AtomicInteger();
    health.register(
        "stuck",
        () -> {
          runs.incrementAndGet();
          awaitIgnoringInterrupts(release);
          return CheckResult.up("back");
        },
        CheckOptions.builder(Probe.READINESS).timeout(Duration.ofMillis(30)).build());
    awaitStatus(health, "stuck", Status.DOWN);
    assertThat(runs.get()).isEqualTo(1);

    release.countDown();
    awaitStatus(health, "stuck", Status.UP);
    assertThat(runs.get()).isGreaterThanOrEqualTo(2);
    assertThat(message(health, "stuck")).isEqualTo("back");
  }

  private HealthCheck hangingCheck(Hang hang) throws InterruptedException {
    CountDownLatch release = fixture.latch();
    switch (hang) {
      case LATCH_IGNORING_INTERRUPTS:
        return () -> {
          awaitIgnoringInterrupts(release);
          return CheckResult.up();
        };
      case MONITOR_HELD_BY_ANOTHER_THREAD:
        Object monitor = new Object();
        CountDownLatch held = new CountDownLatch(1);
        Thread holder =
            new Thread(
                () -> {
                  synchronized (monitor) {
                    held.countDown();
                    awaitIgnoringInterrupts(release);
                  }
                },
                "monitor-holder");
        holder.setDaemon(true);
        holder.start();
        held.await();
        fixture.onCleanup(
            () -> waiting().until(() -> !holder.isAlive()));
        return () -> {
          synchronized (monitor) {
            return CheckResult.up();
          }
        };
      default:
        throw new AssertionError(hang);
    }
  }

  /** Blocks until released, swallowing interrupts as badly written checks do. */
  static void awaitIgnoringInterrupts(CountDownLatch latch) {
    while (true) {
      try {
        latch.await();
        return;
      } catch (InterruptedException ignored) {
        // Deliberately ignored: this simulates a check that does not honour interruption.
        continue;
      }
    }
  }
}
