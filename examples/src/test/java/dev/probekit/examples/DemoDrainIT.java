package dev.probekit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo in a child JVM, stopped with a real SIGTERM under load: the drain loses no request,
 * and the same run without the drain does (so this test can fail).
 *
 * <p>Timings (set by {@link DemoProcess#start(String...)}): pre-stop delay 1 s, drain timeout 5 s,
 * grace period 8 s; three 2 s requests in flight at the signal.
 */
class DemoDrainIT {
  private static final Pattern DRAINED = Pattern.compile("requests drained=(\\d+), abandoned=(\\d+)");
  private static final int SLOW = 3;
  private static final long SLOW_MILLIS = 2_000;

  private DemoProcess demo;

  @AfterEach
  void kill() {
    if (demo != null) {
      demo.close();
    }
  }

  @Test
  @Timeout(60)
  void sigtermUnderLoadDrainsWithoutLosingARequest() throws Exception {
    demo = DemoProcess.start().awaitStarted();

    RollingStopLoad.Result result = new RollingStopLoad(demo).run(SLOW, SLOW_MILLIS);
    System.out.println("DRAIN-E2E drain=on " + result);

    assertThat(result.failures).as("failed requests; demo output:\n%s", demo.output()).isEmpty();
    assertThat(result.readiness503AfterMillis).as("readiness 503 after the signal").isBetween(0L, 200L);
    assertThat(result.okAfterSignal).as("requests served during the pre-stop delay").isPositive();
    assertThat(result.sentAfterNotReady).isPositive();
    assertThat(result.keptAliveAfterNotReady).as("answers without Connection: close while draining").isZero();
    assertThat(result.slowOk).as("slow requests completed: %s", result.slowFailures).isEqualTo(SLOW);
    assertThat(result.exitCode).as("exit code; output:\n%s", demo.output()).isZero();
    // At least the pre-stop delay plus what remained of the slow requests; within the grace period.
    assertThat(result.exitAfterMillis).isBetween(1_000L, 8_000L);
    // The probe server still answered after the application server had stopped accepting.
    assertThat(result.lastProbeAnswerAfterMillis).isGreaterThanOrEqualTo(1_000L);

    String output = demo.output();
    assertThat(demo.count("graceful shutdown finished")).isEqualTo(1);
    Matcher m = DRAINED.matcher(output);
    assertThat(m.find()).as(output).isTrue();
    assertThat(Long.parseLong(m.group(1))).as("drained").isGreaterThanOrEqualTo(SLOW);
    assertThat(Long.parseLong(m.group(2))).as("abandoned").isZero();
    assertThat(output).contains("tasks failed=0");
  }

  @Test
  @Timeout(60)
  void sameRunWithoutTheDrainLosesRequests() throws Exception {
    demo = DemoProcess.start("-Dprobekit.demo.drain=false").awaitStarted();

    RollingStopLoad.Result result = new RollingStopLoad(demo).run(SLOW, SLOW_MILLIS);
    System.out.println("DRAIN-E2E drain=off " + result);

    assertThat(result.slowFailures).as("slow requests cut off").hasSize(SLOW);
    assertThat(result.failures.size() + result.slowFailures.size()).isPositive();
    assertThat(result.exitCode).as("killed by the signal, not a clean exit").isEqualTo(143);
    assertThat(demo.output()).doesNotContain("graceful shutdown finished");
  }
}
