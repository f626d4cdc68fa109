package dev.probekit.benchmarks;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Shared set-up: the checks every benchmark registers and a bounded wait for their first runs. */
final class Fixtures {
  /** What the kubelet sends: a plain GET with {@code Accept: *}{@code /*} and no query. */
  static final ProbeRequest KUBELET_READYZ = ProbeRequest.of("GET", "/readyz", null, "*/*");

  /** The "slow" check of the peer comparison: a dependency call that takes 5 ms. */
  static final long SLOW_CHECK_MILLIS = 5;

  private Fixtures() {}

  /** Sleeps 5 ms, like a round trip to a database; restores the interrupt flag. */
  static void slowDependencyCall() {
    try {
      Thread.sleep(SLOW_CHECK_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A HealthRegistry with {@code count} instant READINESS checks, waited on until every check has run
   * once (so the snapshot is UP). Intervals are long: the benchmark measures serving, not
   * evaluation.
   */
  static HealthRegistry healthWithInstantChecks(int count) {
    HealthRegistry health = HealthRegistry.builder().defaultInterval(Duration.ofMinutes(10)).build();
    CheckOptions options = CheckOptions.of(Probe.READINESS);
    for (int i = 0; i < count; i++) {
      health.register("check-" + i, CheckResult::up, options);
    }
    awaitUp(health, Duration.ofSeconds(30));
    return health;
  }

  /** Waits (bounded) until READINESS is UP; throws if it is not by the deadline. */
  static void awaitUp(HealthRegistry health, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!health.snapshot(Probe.READINESS).isUp()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("readiness not UP after " + timeout + ": " + health);
      }
      // Set-up only, never measured: the checks run on HealthRegistry's own threads.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }
}
