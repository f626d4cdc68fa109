package dev.probekit.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Creates {@link HealthRegistry} instances with short intervals and no jitter, and after each test
 * releases every latch a check may be blocked on, runs cleanups and closes every {@code HealthRegistry}.
 */
final class HealthFixture implements AfterEachCallback {
  static final Duration INTERVAL = Duration.ofMillis(20);

  private final List<HealthRegistry> healths = new CopyOnWriteArrayList<>();
  private final List<CountDownLatch> latches = new CopyOnWriteArrayList<>();
  private final List<Runnable> cleanups = new CopyOnWriteArrayList<>();

  /** A HealthRegistry with a 20 ms interval, a 5 s timeout and no jitter. */
  HealthRegistry health() {
    return health(b -> {});
  }

  /** The same defaults, then {@code config}. */
  HealthRegistry health(Consumer<HealthRegistry.Builder> config) {
    HealthRegistry.Builder builder =
        HealthRegistry.builder().jitter(0).defaultInterval(INTERVAL).defaultTimeout(Duration.ofSeconds(5));
    config.accept(builder);
    HealthRegistry health = builder.build();
    healths.add(health);
    return health;
  }

  /** A latch released after the test. */
  CountDownLatch latch() {
    CountDownLatch latch = new CountDownLatch(1);
    latches.add(latch);
    return latch;
  }

  /** Runs after the latches are released and before the Healths are closed. */
  void onCleanup(Runnable cleanup) {
    cleanups.add(cleanup);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (CountDownLatch latch : latches) {
      while (latch.getCount() > 0) {
        latch.countDown();
      }
    }
    List<RuntimeException> failures = new ArrayList<>();
    for (Runnable cleanup : cleanups) {
      try {
        cleanup.run();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    healths.forEach(HealthRegistry::close);
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  /** Awaitility with a 5 s limit and a 2 ms poll. */
  static ConditionFactory waiting() {
    return Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(2));
  }

  static void awaitStatus(HealthRegistry health, String name, Status status) {
    waiting()
        .alias(name + " " + status)
        .until(() -> health.check(name).map(CheckState::status).orElse(null) == status);
  }

  /** Waits until the check's last result has {@code message}, and returns its state then. */
  static CheckState awaitMessage(HealthRegistry health, String name, String message) {
    waiting()
        .alias(name + " result '" + message + "'")
        .until(
            () ->
                health
                    .check(name)
                    .flatMap(CheckState::lastResult)
                    .flatMap(CheckResult::message)
                    .map(message::equals)
                    .orElse(false));
    return health.check(name).orElseThrow();
  }

  static String message(HealthRegistry health, String name) {
    return health.check(name).flatMap(CheckState::lastResult).flatMap(CheckResult::message).orElse(null);
  }

  /** Live threads whose name starts with {@code prefix}. */
  static Set<Thread> liveThreads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .collect(Collectors.toSet());
  }
}
