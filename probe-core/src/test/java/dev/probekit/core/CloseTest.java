package dev.probekit.core;

import static dev.probekit.core.HealthFixture.awaitStatus;
import static dev.probekit.core.HealthFixture.liveThreads;
import static dev.probekit.core.HealthFixture.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.testkit.SwitchableCheck;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** close() stops every schedule, interrupts running checks, and frees the threads it owns. */
class CloseTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  @Test
  void closeStopsEveryRun() {
    HealthRegistry closing = fixture.health();
    SwitchableCheck check = new SwitchableCheck(CheckResult.up());
    closing.register("db", check, CheckOptions.of(Probe.READINESS));
    waiting().until(() -> check.runs() >= 3);
    // Time is measured by a second HealthRegistry that stays open.
    SwitchableCheck clock = new SwitchableCheck(CheckResult.up());
    fixture.health().register("clock", clock, CheckOptions.of(Probe.LIVENESS));

    closing.close();
    int runsAtClose = check.runs();
    int ticks = clock.runs();
    waiting().until(() -> clock.runs() >= ticks + 15);

    assertThat(check.runs()).isEqualTo(runsAtClose);
  }

  @Test
  void closeInterruptsARunningCheck() {
    HealthRegistry health = fixture.health();
    CountDownLatch never = fixture.latch();
    CountDownLatch started = new CountDownLatch(1);
    AtomicInteger interrupted = new AtomicInteger();
    health.register(
        "blocked",
        () -> {
          started.countDown();
          try {
            never.await();
          } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw e;
          }
          return CheckResult.up();
        },
        CheckOptions.builder(Probe.READINESS).timeout(Duration.ofSeconds(30)).build());
    waiting().until(() -> started.getCount() == 0);

    health.close();

    waiting().until(() -> interrupted.get() == 1);
  }

  @Test
  void closeEndsTheThreadsItOwns() {
    Set<Thread> before = new HashSet<>(liveThreads("probekit-"));
    HealthRegistry health = fixture.health();
    health.register("db", () -> CheckResult.up(), CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.UP);
    Set<Thread> ours = new HashSet<>(liveThreads("probekit-"));
    ours.removeAll(before);
    assertThat(ours).extracting(Thread::getName).anyMatch(n -> n.startsWith("probekit-scheduler"));
    assertThat(ours).extracting(Thread::getName).anyMatch(n -> n.startsWith("probekit-check"));
    assertThat(ours).allMatch(Thread::isDaemon);

    health.close();

    waiting().until(() -> ours.stream().noneMatch(Thread::isAlive));
  }

  @Test
  void closeLeavesExecutorsItWasGivenRunning() {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    ExecutorService executor = Executors.newCachedThreadPool();
    fixture.onCleanup(scheduler::shutdownNow);
    fixture.onCleanup(executor::shutdownNow);
    HealthRegistry health = fixture.health(b -> b.scheduler(scheduler).checkExecutor(executor));
    health.register("db", () -> CheckResult.up(), CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.UP);

    health.close();

    assertThat(scheduler.isShutdown()).isFalse();
    assertThat(executor.isShutdown()).isFalse();
  }

  @Test
  void closeIsIdempotentAndSnapshotsStayReadable() {
    HealthRegistry health = fixture.health();
    health.register("db", () -> CheckResult.down("gone"), CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.DOWN);

    health.close();
    health.close();

    assertThat(health.snapshot(Probe.READINESS).status()).isEqualTo(Status.DOWN);
    assertThat(ProbeEndpoints.of(health).handle("GET", "/readyz", "verbose", null).bodyAsString())
        .isEqualTo("[-]db failed: reason withheld\nreadiness check failed\n");
    health.readiness().down("closed");
    assertThat(health.readiness().reason()).hasValue("closed");
  }
}
