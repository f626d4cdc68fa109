package dev.probekit.core.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.Status;
import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class DeadlockCheckTest {

  /**
   * Takes {@code first}, waits until the other thread holds its own first lock, then takes {@code
   * second}: with two such threads in opposite order, a real deadlock. The locks are taken
   * interruptibly so the test can break the deadlock and leave no stuck thread behind.
   */
  private static Thread deadlocker(
      String name, ReentrantLock first, ReentrantLock second, CyclicBarrier bothHoldOne) {
    Thread thread =
        new Thread(
            () -> {
              try {
                first.lockInterruptibly();
              } catch (InterruptedException e) {
                return;
              }
              try {
                bothHoldOne.await();
                second.lockInterruptibly();
                second.unlock();
              } catch (InterruptedException | BrokenBarrierException e) {
                // expected: the test interrupts both threads to end the deadlock
              } finally {
                first.unlock();
              }
            },
            name);
    thread.setDaemon(true); // never keeps the test JVM alive, even if cleanup failed
    return thread;
  }

  @Test
  void detectsARealDeadlockNamingBothThreadsAndClearsOnceItIsBroken() throws Exception {
    HealthCheck check = Checks.deadlocks();
    assertThat(check.isRemote()).isFalse();
    assertThat(check.check().isUp()).as("no deadlock before the test").isTrue();

    try (HealthRegistry health = HealthRegistry.builder().defaultInterval(Duration.ofMillis(20)).build()) {
      health.register("deadlocks", check, CheckOptions.of(Probe.LIVENESS));
      await().atMost(Duration.ofSeconds(5)).until(() -> health.snapshot(Probe.LIVENESS).isUp());

      ReentrantLock a = new ReentrantLock();
      ReentrantLock b = new ReentrantLock();
      CyclicBarrier bothHoldOne = new CyclicBarrier(2);
      Thread t1 = deadlocker("probekit-deadlock-a", a, b, bothHoldOne);
      Thread t2 = deadlocker("probekit-deadlock-b", b, a, bothHoldOne);
      try {
        t1.start();
        t2.start();

        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> !health.snapshot(Probe.LIVENESS).isUp());
        CheckResult result = health.check("deadlocks").orElseThrow().lastResult().orElseThrow();
        assertThat(result.status()).isEqualTo(Status.DOWN);
        assertThat(result.message().orElseThrow())
            .startsWith("2 deadlocked threads: ")
            .contains("\"probekit-deadlock-a\" waits for")
            .contains("held by \"probekit-deadlock-b\"")
            .contains("\"probekit-deadlock-b\" waits for")
            .contains("held by \"probekit-deadlock-a\"");
        assertThat(result.details()).containsEntry("count", 2);
        assertThat((String) result.details().get("threads"))
            .contains("probekit-deadlock-a", "probekit-deadlock-b");
      } finally {
        t1.interrupt();
        t2.interrupt();
        t1.join(5_000);
        t2.join(5_000);
      }
      assertThat(t1.isAlive() || t2.isAlive()).as("deadlocked threads ended").isFalse();

      await().atMost(Duration.ofSeconds(5)).until(() -> health.snapshot(Probe.LIVENESS).isUp());
      assertThat(check.check().isUp()).isTrue();
    }
  }
}
