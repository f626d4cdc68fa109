package dev.probekit.core;

import static dev.probekit.core.HealthFixture.awaitStatus;
import static dev.probekit.core.HealthFixture.message;
import static dev.probekit.core.HealthFixture.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A run past its timeout is DOWN "timed out after ...", and its thread is interrupted. */
class TimeoutTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  @Test
  void runPastItsTimeoutIsDownWithATimedOutMessage() {
    Health health = fixture.health();
    CountDownLatch never = fixture.latch();
    health.register(
        "slow",
        () -> {
          never.await();
          return CheckResult.up();
        },
        CheckOptions.builder(Probe.READINESS).timeoutMillis(50).build());

    awaitStatus(health, "slow", Status.DOWN);
    CheckResult result = health.check("slow").orElseThrow().lastResult().orElseThrow();
    assertThat(result.message()).hasValue("timed out after 50ms");
    assertThat(result.duration()).hasValue(Duration.ofMillis(50));
    assertThat(result.time()).isPresent();
    assertThat(health.snapshot(Probe.READINESS).status()).isEqualTo(Status.DOWN);
  }

  @Test
  void timedOutMessageIsShownOnlyWithDetails() {
    Health health = fixture.health();
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
    Health health = fixture.health();
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
        CheckOptions.builder(Probe.READINESS).timeoutMillis(30).build());

    waiting().until(() -> interrupted.get() >= 2);
    assertThat(message(health, "slow")).isEqualTo("timed out after 30ms");
  }

  @Test
  void perCheckTimeoutOverridesTheHealthDefault() {
    Health health = fixture.health(b -> b.defaultTimeout(Duration.ofMillis(70)));
    CountDownLatch never = fixture.latch();
    HealthCheck blocked =
        () -> {
          never.await();
          return CheckResult.up();
        };
    health.register("inherits", blocked, CheckOptions.of(Probe.READINESS));
    health.register("overrides", blocked, CheckOptions.builder(Probe.READINESS).timeoutMillis(40).build());

    awaitStatus(health, "inherits", Status.DOWN);
    awaitStatus(health, "overrides", Status.DOWN);
    // Either the timeout itself or a later tick that finds the interrupted run not yet returned
    // ("...; still running"): both name the timeout that applied.
    assertThat(message(health, "inherits")).startsWith("timed out after 70ms");
    assertThat(message(health, "overrides")).startsWith("timed out after 40ms");
  }

  @Test
  void eachTimedOutRunCountsTowardTheFailureThreshold() {
    // 100 ms between runs and a 30 ms timeout: each interrupted run has 70 ms to return before
    // the next tick, so every failure counted here is a fresh run that timed out.
    Health health = fixture.health(b -> b.defaultInterval(Duration.ofMillis(100)));
    CountDownLatch never = fixture.latch();
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger slowRunsAtTransition = new AtomicInteger(-1);
    health.register(
        "slow",
        () -> {
          if (runs.incrementAndGet() == 1) {
            return CheckResult.up();
          }
          never.await();
          return CheckResult.up();
        },
        CheckOptions.builder(Probe.READINESS).timeoutMillis(30).failureThreshold(3).build());
    awaitStatus(health, "slow", Status.UP);
    // Called under the evaluator's lock at the transition, before the third slow run is
    // interrupted, so no fourth run can have started yet.
    health.addListener(
        (name, previous, current) -> {
          if (current.status() == Status.DOWN) {
            slowRunsAtTransition.set(runs.get() - 1);
          }
        });

    awaitStatus(health, "slow", Status.DOWN);
    assertThat(slowRunsAtTransition.get()).isEqualTo(3);
  }

  @Test
  void checkThatTimedOutIsUpAgainOnceItAnswersInTime() {
    Health health = fixture.health();
    CountDownLatch slow = fixture.latch();
    health.register(
        "recovering",
        () -> {
          slow.await();
          return CheckResult.up("fast again");
        },
        CheckOptions.builder(Probe.READINESS).timeoutMillis(30).build());
    awaitStatus(health, "recovering", Status.DOWN);

    slow.countDown();
    awaitStatus(health, "recovering", Status.UP);
    assertThat(message(health, "recovering")).isEqualTo("fast again");
  }

  @Test
  void probesNeverRunOrWaitForChecks() {
    Health health = fixture.health(b -> b.defaultInterval(Duration.ofHours(1)));
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
