package dev.probekit.core;

import static dev.probekit.core.HealthFixture.awaitStatus;
import static dev.probekit.core.HealthFixture.liveThreads;
import static dev.probekit.core.HealthFixture.message;
import static dev.probekit.core.HealthFixture.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A check whose exception cannot even be described (its getMessage, toString and getCause throw)
 * still fails closed: DOWN after the failure threshold, described by its class name, on the same
 * pool thread run after run.
 */
class HostileExceptionCheckTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  /** Everything that describes it throws, as a lazily built message can. */
  static final class HostileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    @Override
    public String getMessage() {
      throw new IllegalStateException("message unavailable");
    }

    @Override
    public String getLocalizedMessage() {
      throw new IllegalStateException("message unavailable");
    }

    @Override
    public String toString() {
      throw new IllegalStateException("toString unavailable");
    }

    @Override
    public synchronized Throwable getCause() {
      throw new IllegalStateException("cause unavailable");
    }
  }

  @Test
  void checkWhoseExceptionCannotBeDescribedTurnsDownAfterTheThresholdWithoutThreadChurn() {
    // Other tests' pools may still hold idle threads of the same name: only new ones count.
    Set<Thread> before = liveThreads("probekit-check");
    HealthRegistry health = fixture.health();
    AtomicInteger runs = new AtomicInteger();
    Set<Thread> runners = ConcurrentHashMap.newKeySet();
    health.register(
        "db",
        () -> {
          runners.add(Thread.currentThread());
          if (runs.incrementAndGet() == 1) {
            return CheckResult.up();
          }
          throw new HostileException();
        },
        CheckOptions.builder(Probe.READINESS).failureThreshold(3).build());
    awaitStatus(health, "db", Status.UP);

    awaitStatus(health, "db", Status.DOWN);
    // Thresholds as usual: DOWN only after three failed runs, the first of them the second run.
    assertThat(runs.get()).isGreaterThanOrEqualTo(4);
    assertThat(health.snapshot(Probe.READINESS).isUp()).isFalse();
    assertThat(message(health, "db")).isEqualTo(HostileException.class.getName());

    int seen = runs.get();
    waiting().until(() -> runs.get() >= seen + 20);
    // Each run used to kill its pool thread: 20 runs, 20 threads. Now one thread serves them all;
    // a few more only when a loaded machine had a tick find the last one not yet back idle.
    assertThat(runners).hasSizeLessThanOrEqualTo(4);
    Set<Thread> created = liveThreads("probekit-check");
    created.removeAll(before);
    assertThat(created).hasSizeLessThanOrEqualTo(4);
    assertThat(health.check("db").orElseThrow().status()).isEqualTo(Status.DOWN);
  }

  @Test
  void wrappedHostileExceptionIsDescribedByTheWrapperWhenItsCauseCannotBeRead() {
    HealthRegistry health = fixture.health();
    health.register(
        "db",
        () -> {
          throw new java.util.concurrent.ExecutionException("wrapped", new HostileException()) {
            private static final long serialVersionUID = 1L;

            @Override
            public synchronized Throwable getCause() {
              throw new IllegalStateException("cause unavailable");
            }
          };
        },
        CheckOptions.of(Probe.READINESS));

    awaitStatus(health, "db", Status.DOWN);
    assertThat(message(health, "db"))
        .startsWith(HostileExceptionCheckTest.class.getName() + "$")
        .endsWith(": wrapped");
  }
}
