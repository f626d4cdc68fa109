package dev.probekit.core;

import static dev.probekit.core.HealthFixture.awaitMessage;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Failure and success thresholds, like the kubelet's: the effective status flips after N
 * consecutive results, and is UNKNOWN until a threshold is first reached.
 */
class ThresholdTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  /**
   * Feeds one result per run (U = up, D = down) and checks the effective status after each (U, D,
   * or ? for UNKNOWN), like Kubernetes' table-driven prober tests.
   */
  @ParameterizedTest(name = "failure={0} success={1}: {2} -> {3}")
  @CsvSource({
    "1, 1, UDU, UDU",
    "1, 1, DDU, DDU",
    "3, 1, UDDD, UUUD",
    "3, 1, UDDUDDD, UUUUUUD",
    "2, 1, DUDD, ?UUD",
    "1, 2, DUUD, DDUD",
    "1, 2, DUDUU, DDDDU",
    "3, 2, DDD, ??D",
    "3, 2, UU, ?U",
    "3, 2, UDUU, ???U",
    "3, 2, DDUDUU, ?????U",
  })
  void statusFlipsOnlyAfterThresholdConsecutiveResults(
      int failureThreshold, int successThreshold, String results, String expected) throws Exception {
    HealthRegistry health = fixture.health();
    ScriptedCheck check = new ScriptedCheck();
    health.register(
        "scripted",
        check,
        CheckOptions.builder(Probe.READINESS)
            .failureThreshold(failureThreshold)
            .successThreshold(successThreshold)
            .timeout(Duration.ofSeconds(30))
            .build());
    assertThat(health.check("scripted").orElseThrow().status()).isEqualTo(Status.UNKNOWN);

    for (int i = 0; i < results.length(); i++) {
      String message = "run " + i;
      check.next(results.charAt(i) == 'U' ? CheckResult.up(message) : CheckResult.down(message));
      CheckState state = awaitMessage(health, "scripted", message);
      Status want = status(expected.charAt(i));
      assertThat(state.status()).as("after %s of %s", results.substring(0, i + 1), results).isEqualTo(want);
      assertThat(health.snapshot(Probe.READINESS).status())
          .as("readiness after %s", results.substring(0, i + 1))
          .isEqualTo(want == Status.UP ? Status.UP : Status.DOWN);
    }
  }

  @Test
  void lastResultIsTheRawResultEvenWhileTheThresholdHoldsTheStatus() throws Exception {
    HealthRegistry health = fixture.health();
    ScriptedCheck check = new ScriptedCheck();
    health.register(
        "db",
        check,
        CheckOptions.builder(Probe.READINESS).failureThreshold(3).timeout(Duration.ofSeconds(30)).build());
    check.next(CheckResult.up("fine"));
    awaitMessage(health, "db", "fine");
    check.next(CheckResult.down("blip"));

    CheckState state = awaitMessage(health, "db", "blip");
    assertThat(state.status()).isEqualTo(Status.UP);
    assertThat(state.lastResult().orElseThrow().status()).isEqualTo(Status.DOWN);
  }

  private static Status status(char c) {
    return c == 'U' ? Status.UP : c == 'D' ? Status.DOWN : Status.UNKNOWN;
  }

  /** Each run takes the next result the test offers, blocking until there is one. */
  static final class ScriptedCheck implements HealthCheck {
    private final BlockingQueue<CheckResult> results = new LinkedBlockingQueue<>();

    void next(CheckResult result) {
      results.add(result);
    }

    @Override
    public CheckResult check() throws InterruptedException {
      return results.take();
    }
  }
}
