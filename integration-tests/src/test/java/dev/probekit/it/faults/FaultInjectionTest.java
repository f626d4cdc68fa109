package dev.probekit.it.faults;

import static dev.probekit.it.faults.FaultProcess.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Faults injected into a real service in a child JVM that gets real signals: whatever the fault,
 * the process exits inside the grace period with the documented status (0 clean, 70 degraded, 124
 * halted by the watchdog), its summary line accounts for the fault, and a request in flight is
 * not lost where the budget allows it. Children run in parallel: they mostly wait.
 */
@Execution(ExecutionMode.CONCURRENT)
class FaultInjectionTest {
  /** The default settings of {@link FaultProcess#start}: grace period 6 s. */
  private static final long GRACE_MILLIS = 6_000;

  private final ThreadLocal<FaultProcess> child = new ThreadLocal<>();

  private FaultProcess start(String fault, String... settings) throws Exception {
    FaultProcess process = FaultProcess.start(fault, settings);
    child.set(process);
    return process;
  }

  @AfterEach
  void stop() throws Exception {
    FaultProcess process = child.get();
    if (process != null) {
      process.close();
      child.remove();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "none                 | 0  | faults=0",
        "action-assertion     | 70 | faults=1 [stop-accepting: stop-accepting action 'broken' threw AssertionError: injected]",
        "action-noclassdef    | 70 | faults=1 [stop-accepting: stop-accepting action 'broken' threw NoClassDefFoundError: com/acme/Missing]",
        "action-unreadable    | 70 | faults=1 [stop-accepting: stop-accepting action 'broken' threw UnreadableException]",
        "listener-error       | 70 | faults=5 [announce: lifecycle listener",
        "task-error           | 70 | tasks failed=1 [broken], faults=0",
        "task-deaf            | 70 | tasks failed=1 [deaf], faults=0",
        "check-message-throws | 0  | tasks failed=0, faults=0",
        "check-oom            | 0  | tasks failed=0, faults=0",
        "probe-listener-oom   | 70 | faults=1 [announce: readiness DOWN threw OutOfMemoryError: injected in a probe listener]",
      })
  @Timeout(90)
  void sigtermWithAFaultDrainsTheRequestAndExitsWithTheDocumentedStatus(
      String fault, int status, String inSummary) throws Exception {
    FaultProcess p = start(fault).awaitStarted();
    CompletableFuture<HttpResponse<String>> inFlight = p.slowRequest(1_200);
    await().atMost(Duration.ofSeconds(10)).until(() -> p.count("work started ms=1200") == 1);

    p.sigterm();
    long exitMillis = p.awaitExitMillis(20);

    assertThat(p.process.exitValue()).as(p.output()).isEqualTo(status);
    assertThat(exitMillis).as("exit after SIGTERM").isLessThan(GRACE_MILLIS);
    String summary = p.summary();
    assertThat(summary).contains(inSummary).contains("requests drained=1, abandoned=0");
    assertThat(inFlight.get(10, TimeUnit.SECONDS).body()).isEqualTo("done 1200\n");
    assertThat(p.count("graceful shutdown finished")).isEqualTo(1);
    // Each fault logged once: one WARN line per fault in the summary, no more.
    assertThat(p.count(" WARN ") - p.count("pre-stop step failed") - p.count("failed on"))
        .as(p.output())
        .isLessThanOrEqualTo(countFaults(summary));
  }

  private static long countFaults(String summary) {
    long faults = Long.parseLong(summary.replaceAll(".*faults=(\\d+).*", "$1"));
    long tasks = Long.parseLong(summary.replaceAll(".*tasks failed=(\\d+).*", "$1"));
    return faults + tasks;
  }

  @Test
  @Timeout(60)
  void aStopAcceptingActionThatHangsIsHaltedByTheWatchdogWithOneErrorLine() throws Exception {
    FaultProcess p = start("action-hangs").awaitStarted();

    p.sigterm();
    long exitMillis = p.awaitExitMillis(20);

    assertThat(p.process.exitValue()).as(p.output()).isEqualTo(124);
    // Budget 5 s (grace 6 s less margin 1 s), then half the margin: 5.5 s after the child got the
    // signal (its own clock; a loaded machine may take a moment to deliver it), before SIGKILL.
    assertThat(p.millisBetween("received SIGTERM", "halting the JVM"))
        .as(p.output())
        .isBetween(5_400L, 5_900L);
    assertThat(exitMillis).as(p.output()).isBetween(5_400L, GRACE_MILLIS + 2_000);
    assertThat(p.count(" ERROR ")).as(p.output()).isEqualTo(1);
    assertThat(p.count("shutdown: hung in stop-accepting action 'hangs': halting the JVM with exit code 124"))
        .as(p.output())
        .isEqualTo(1);
    assertThat(p.count("graceful shutdown finished")).isZero();
  }

  @Test
  @Timeout(60)
  void twoSigterms100MsApartRunEveryStepOnce() throws Exception {
    FaultProcess p = start("none").awaitStarted();
    CompletableFuture<HttpResponse<String>> inFlight = p.slowRequest(1_500);
    await().atMost(Duration.ofSeconds(10)).until(() -> p.count("work started ms=1500") == 1);

    p.sigterm();
    // The scenario itself, not a wait for a condition: an impatient second signal.
    TimeUnit.MILLISECONDS.sleep(100);
    p.sigterm();
    long exitMillis = p.awaitExitMillis(20);

    assertThat(p.process.exitValue()).as(p.output()).isZero();
    assertThat(exitMillis).isLessThan(GRACE_MILLIS);
    assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(p.count("received SIGTERM again")).isEqualTo(1);
    for (String phase : new String[] {"announce", "pre-stop-delay", "stop-accepting", "drain", "shutdown-tasks"}) {
      assertThat(p.count("shutdown: " + phase + " done")).as(phase).isEqualTo(1);
    }
    assertThat(p.count("shutdown: task 'app-server' done")).isEqualTo(1);
    assertThat(p.summary()).contains("requests drained=1, abandoned=0", "faults=0");
  }

  @Test
  @Timeout(60)
  void sigtermDuringTheDependencyWaitExitsCleanAtOnce() throws Exception {
    FaultProcess p = start("dependency-wait");
    await().atMost(Duration.ofSeconds(40)).until(() -> p.count("waiting for 1 dependency") == 1);

    p.sigterm();
    long exitMillis = p.awaitExitMillis(20);

    assertThat(p.process.exitValue()).as(p.output()).isZero();
    assertThat(exitMillis).as("never ready: no pre-stop delay").isLessThan(3_000);
    assertThat(p.output()).contains("no pre-stop delay");
    assertThat(p.summary()).contains("faults=0");
  }

  @Test
  @Timeout(60)
  void sigtermRightAfterPreStopContinuesTheSequenceAndDrains() throws Exception {
    FaultProcess p = start("none").awaitStarted();
    CompletableFuture<HttpResponse<String>> inFlight = p.slowRequest(2_500);
    await().atMost(Duration.ofSeconds(10)).until(() -> p.count("work started ms=2500") == 1);

    assertThat(get(p.probePort(), "/prestop").statusCode()).isEqualTo(200);
    p.sigterm();
    long exitMillis = p.awaitExitMillis(20);

    assertThat(p.process.exitValue()).as(p.output()).isZero();
    assertThat(exitMillis).isLessThan(GRACE_MILLIS);
    assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(p.count("shutdown: announce done")).isEqualTo(1);
    assertThat(p.count("shutdown: pre-stop-delay done")).isEqualTo(1);
    assertThat(p.summary()).contains("requests drained=1, abandoned=0", "tasks failed=0, faults=0");
  }

  @Test
  @Timeout(90)
  void sigtermTenSecondsAfterPreStopStillDrainsAndRunsTheTasks() throws Exception {
    // Budget 11 s: measured from the pre-stop call, 1 s would be left at the signal.
    FaultProcess p =
        start(
                "none",
                "-Dprobekit.shutdown.pre-stop-delay=1s",
                "-Dprobekit.shutdown.drain-timeout=4s",
                "-Dprobekit.shutdown.grace-period=12s")
            .awaitStarted();
    long preStopAt = System.nanoTime();
    assertThat(get(p.probePort(), "/prestop").statusCode()).isEqualTo(200);
    assertThat(get(p.probePort(), "/readyz").statusCode()).isEqualTo(503);
    await().pollDelay(Duration.ofMillis(9_000)).atMost(Duration.ofSeconds(20)).until(() -> true);
    CompletableFuture<HttpResponse<String>> inFlight = p.slowRequest(2_500);
    await().atMost(Duration.ofSeconds(5)).until(() -> p.count("work started ms=2500") == 1);
    assertThat(Duration.ofNanos(System.nanoTime() - preStopAt)).isLessThan(Duration.ofSeconds(11));

    p.sigterm();
    long exitMillis = p.awaitExitMillis(20);

    assertThat(p.process.exitValue()).as(p.output()).isZero();
    assertThat(exitMillis).isLessThan(12_000);
    assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(p.output()).contains("the budget counts from the shutdown").doesNotContain("resuming normal service");
    assertThat(p.summary()).contains("requests drained=1, abandoned=0", "tasks failed=0, faults=0");
    assertThat(p.count("shutdown: task 'app-server' done")).isEqualTo(1);
  }

  @Test
  @Timeout(60)
  void preStopWithoutSigtermResumesNormalServiceAfterTheGracePeriod() throws Exception {
    FaultProcess p =
        start("none", "-Dprobekit.shutdown.grace-period=3s", "-Dprobekit.shutdown.safety-margin=500ms", "-Dprobekit.shutdown.drain-timeout=2s")
            .awaitStarted();

    assertThat(get(p.probePort(), "/prestop").statusCode()).isEqualTo(200);
    assertThat(get(p.probePort(), "/readyz").statusCode()).isEqualTo(503);
    assertThat(get(p.appPort(), "/").headers().firstValue("connection")).hasValue("close");

    await().atMost(Duration.ofSeconds(15)).until(() -> get(p.probePort(), "/readyz").statusCode() == 200);
    assertThat(p.count("no SIGTERM followed within the grace period: resuming normal service")).isEqualTo(1);
    assertThat(get(p.appPort(), "/").headers().firstValue("connection")).isEmpty();

    // The pod is in service again: a real termination later runs the whole sequence afresh.
    assertThat(get(p.probePort(), "/prestop").statusCode()).isEqualTo(200);
    p.sigterm();
    long exitMillis = p.awaitExitMillis(20);
    assertThat(p.process.exitValue()).as(p.output()).isZero();
    assertThat(exitMillis).isLessThan(3_000);
    assertThat(p.count("shutdown: announce done")).isEqualTo(2);
    assertThat(p.summary()).contains("tasks failed=0, faults=0");
  }

  @Test
  @Timeout(60)
  void anAdaptivePreStopWithoutTrafficEndsAtItsMinimumNotItsMaximum() throws Exception {
    FaultProcess p =
        start(
                "none",
                "-Dprobekit.shutdown.pre-stop-delay=4s",
                "-Dprobekit.shutdown.pre-stop-min=300ms",
                "-Dprobekit.shutdown.pre-stop-quiet-period=200ms",
                "-Dprobekit.shutdown.grace-period=8s")
            .awaitStarted();

    p.sigterm();
    long exitMillis = p.awaitExitMillis(20);

    assertThat(p.process.exitValue()).as(p.output()).isZero();
    assertThat(exitMillis).as("far below the 4 s maximum").isLessThan(3_000);
    assertThat(p.summary()).contains("pre-stop ended=quiet after ", "arrivals=0, last arrival=none", "faults=0");
  }
}
