package dev.probekit.core;

import static dev.probekit.core.HealthFixture.awaitStatus;
import static dev.probekit.core.HealthFixture.message;
import static dev.probekit.core.HealthFixture.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A check that throws anything short of a fatal VM error is DOWN with its class and message. */
class ThrowingCheckTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  static Stream<Arguments> throwables() {
    return Stream.of(
        Arguments.of(new IllegalStateException("pool closed"), "java.lang.IllegalStateException: pool closed"),
        Arguments.of(new IOException("connection refused"), "java.io.IOException: connection refused"),
        Arguments.of(new SQLException("login failed"), "java.sql.SQLException: login failed"),
        Arguments.of(new Exception("checked"), "java.lang.Exception: checked"),
        Arguments.of(new NullPointerException(), "java.lang.NullPointerException"),
        Arguments.of(new AssertionError("expected 1 but was 2"), "java.lang.AssertionError: expected 1 but was 2"),
        Arguments.of(new StackOverflowError(), "java.lang.StackOverflowError"),
        Arguments.of(new NoClassDefFoundError("com/acme/Driver"), "java.lang.NoClassDefFoundError: com/acme/Driver"),
        Arguments.of(new ExceptionInInitializerError("static init"), "java.lang.ExceptionInInitializerError: static init"),
        Arguments.of(new Throwable("neither Exception nor Error"), "java.lang.Throwable: neither Exception nor Error"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("throwables")
  void throwingCheckIsDownWithClassAndMessageAndRunsAgain(Throwable thrown, String expected) {
    HealthRegistry health = fixture.health();
    AtomicInteger runs = new AtomicInteger();
    // Recovery waits for the test to have seen the failure: two 20 ms ticks are a window a
    // loaded machine can let the polling thread miss.
    CountDownLatch failureSeen = fixture.latch();
    health.register(
        "thrower",
        () -> {
          if (runs.incrementAndGet() <= 2) {
            throw ThrowingCheckTest.<RuntimeException>sneaky(thrown);
          }
          failureSeen.await();
          return CheckResult.up("recovered");
        },
        CheckOptions.of(Probe.READINESS));

    waiting().until(() -> expected.equals(message(health, "thrower")));
    CheckResult result = health.check("thrower").orElseThrow().lastResult().orElseThrow();
    assertThat(result.status()).isEqualTo(Status.DOWN);
    assertThat(result.error()).containsSame(thrown);
    assertThat(health.check("thrower").orElseThrow().status()).isEqualTo(Status.DOWN);

    // The evaluator survived the throw: the check is run again and recovers.
    failureSeen.countDown();
    awaitStatus(health, "thrower", Status.UP);
    assertThat(message(health, "thrower")).isEqualTo("recovered");
  }

  @Test
  void realStackOverflowIsDown() {
    HealthRegistry health = fixture.health();
    health.register("recursive", () -> CheckResult.up("depth " + recurse(0)), CheckOptions.of(Probe.READINESS));

    awaitStatus(health, "recursive", Status.DOWN);
    assertThat(message(health, "recursive")).isEqualTo("java.lang.StackOverflowError");
  }

  @Test
  void fatalVmErrorIsRecordedAsDownRethrownAndTheCheckIsStillRunAgain() {
    // The evaluator rethrows a fatal VM error on its own thread. The pool's threads here record
    // what reaches their uncaught-exception handler instead of printing it (surefire treats an
    // OutOfMemoryError on the fork's stderr as a crashed fork).
    List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    ExecutorService executor =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "recording-check");
              thread.setDaemon(true);
              thread.setUncaughtExceptionHandler((t, e) -> uncaught.add(e));
              return thread;
            });
    fixture.onCleanup(executor::shutdownNow);
    HealthRegistry health = fixture.health(b -> b.checkExecutor(executor));
    AtomicInteger runs = new AtomicInteger();
    // The next run waits for the test to have seen the DOWN: otherwise it is UP again one 20 ms
    // tick later, a window a loaded machine lets the polling thread miss entirely.
    CountDownLatch downSeen = fixture.latch();
    health.register(
        "oom",
        () -> {
          if (runs.incrementAndGet() == 1) {
            // Not a real exhaustion: the evaluator records it, then rethrows it on its own thread.
            throw new OutOfMemoryError("simulated");
          }
          downSeen.await();
          return CheckResult.up();
        },
        CheckOptions.of(Probe.READINESS));

    awaitStatus(health, "oom", Status.DOWN);
    assertThat(message(health, "oom")).isEqualTo("java.lang.OutOfMemoryError: simulated");
    downSeen.countDown();
    awaitStatus(health, "oom", Status.UP);
    assertThat(runs.get()).isGreaterThanOrEqualTo(2);
    // The handler runs on the dying thread after the run has recorded its DOWN and let the next
    // run start, so it may come after the UP. Only one error was ever thrown.
    waiting().until(() -> !uncaught.isEmpty());
    assertThat(uncaught).hasSize(1);
    assertThat(uncaught.get(0)).isInstanceOf(OutOfMemoryError.class).hasMessage("simulated");
  }

  @Test
  void nullResultIsDown() {
    HealthRegistry health = fixture.health();
    health.register("null", () -> null, CheckOptions.of(Probe.READINESS));

    awaitStatus(health, "null", Status.DOWN);
    assertThat(message(health, "null")).isEqualTo("check returned null");
  }

  @Test
  void exceptionTextStaysOutOfResponsesWithoutDetails() {
    HealthRegistry health = fixture.health();
    health.register(
        "db",
        () -> {
          throw new SQLException("password authentication failed for user \"app\"");
        },
        CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.DOWN);

    ProbeEndpoints endpoints = ProbeEndpoints.of(health);
    for (String query : new String[] {null, "verbose", "format=json"}) {
      String body = endpoints.handle("GET", "/readyz", query, null).bodyAsString();
      assertThat(body).doesNotContain("SQLException", "password", "app");
    }
    assertThat(
            ProbeEndpoints.builder(health).detailsPolicy(DetailsPolicy.always()).build()
                .handle("GET", "/readyz", "verbose", null).bodyAsString())
        .contains("[-]db failed: java.sql.SQLException: password authentication failed for user \"app\"\n");
  }

  private static int recurse(int depth) {
    return recurse(depth + 1) + 1;
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> T sneaky(Throwable t) throws T {
    throw (T) t;
  }
}
