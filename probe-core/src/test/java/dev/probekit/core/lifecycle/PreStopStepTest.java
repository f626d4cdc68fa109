package dev.probekit.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Each way the pre-stop step ends, driven by injected ticker readings (milliseconds here) and
 * arrival counts: min 1 s, quiet period 500 ms, max 5 s unless stated.
 */
class PreStopStepTest {
  private static final long MS = 1_000_000L;
  private static final long T0 = 1_000_000 * MS; // any ticker origin

  private static PreStopStep step(long minMs, long quietMs, long maxMs) {
    return new PreStopStep(
        T0, 100, Duration.ofMillis(minMs), Duration.ofMillis(maxMs), Duration.ofMillis(quietMs));
  }

  /** Samples every 10 ms up to {@code untilMs}; {@code arrivalsAt} gives the count at a time. */
  private static long run(PreStopStep step, long untilMs, java.util.function.LongUnaryOperator countAt) {
    for (long t = 0; t <= untilMs; t += 10) {
      if (step.observe(T0 + t * MS, countAt.applyAsLong(t))) {
        return t;
      }
    }
    return -1;
  }

  @Test
  void steadyTrafficThatStopsEndsOneQuietPeriodAfterTheLastArrival() {
    PreStopStep step = step(1_000, 500, 5_000);
    // One request every 100 ms until 1.8 s after readiness DOWN, then none.
    long ended = run(step, 10_000, t -> 100 + Math.min(t, 1_800) / 100);

    assertThat(ended).isEqualTo(2_300);
    PreStopReport report = step.report(0);
    assertThat(report.ending()).isEqualTo(PreStopReport.Ending.QUIET);
    assertThat(report.lastArrival()).hasValue(Duration.ofMillis(1_800));
    assertThat(report.arrivals()).isEqualTo(18);
    assertThat(report.duration()).isEqualTo(Duration.ofMillis(2_300));
    assertThat(step.stillArriving()).isFalse();
  }

  @Test
  void trafficThatNeverStopsEndsAtTheMaximumAndSaysRequestsStillArrive() {
    PreStopStep step = step(1_000, 500, 5_000);
    long ended = run(step, 10_000, t -> 100 + t / 100);

    assertThat(ended).isEqualTo(5_000);
    assertThat(step.report(0).ending()).isEqualTo(PreStopReport.Ending.MAXIMUM);
    assertThat(step.report(0).lastArrival()).hasValue(Duration.ofMillis(5_000));
    assertThat(step.report(0).arrivals()).isEqualTo(50);
    assertThat(step.stillArriving()).isTrue();
  }

  @Test
  void noTrafficAtAllEndsAtTheMinimum() {
    PreStopStep step = step(1_000, 500, 5_000);
    long ended = run(step, 10_000, t -> 100);

    assertThat(ended).isEqualTo(1_000);
    assertThat(step.report(0).ending()).isEqualTo(PreStopReport.Ending.QUIET);
    assertThat(step.report(0).lastArrival()).isEmpty();
    assertThat(step.report(0).arrivals()).isZero();
  }

  @Test
  void aBurstAfterAQuietGapRestartsTheQuietPeriod() {
    PreStopStep step = step(1_000, 500, 5_000);
    // Quiet from 0 to 900 ms (not yet the minimum), a burst of 3 at 900-920 ms, quiet again.
    long ended = run(step, 10_000, t -> t < 900 ? 100 : 100 + Math.min(3, (t - 900) / 10 + 1));

    assertThat(ended).isEqualTo(1_420);
    assertThat(step.report(0).ending()).isEqualTo(PreStopReport.Ending.QUIET);
    assertThat(step.report(0).lastArrival()).hasValue(Duration.ofMillis(920));
    assertThat(step.report(0).arrivals()).isEqualTo(3);
  }

  @Test
  void aQuietPeriodLongerThanTheMaximumEndsAtTheMaximumWithoutAWarning() {
    PreStopStep step = step(1_000, 10_000, 3_000);
    long ended = run(step, 10_000, t -> t == 0 ? 100 : 101);

    assertThat(ended).isEqualTo(3_000);
    assertThat(step.report(0).ending()).isEqualTo(PreStopReport.Ending.MAXIMUM);
    // The one request came 10 ms in, 2.99 s before the end: within the quiet period, so it counts
    // as still arriving; the operator sees the quiet period cannot fit.
    assertThat(step.stillArriving()).isTrue();
  }

  @Test
  void withoutAQuietPeriodTheStepIsTheFixedDelayWhateverTheTraffic() {
    PreStopStep step = step(1_000, 0, 2_000);
    assertThat(step.adaptive()).isFalse();
    long ended = run(step, 10_000, t -> 100 + Math.min(t, 300) / 100);

    assertThat(ended).isEqualTo(2_000);
    assertThat(step.report(0).ending()).isEqualTo(PreStopReport.Ending.FIXED);
    assertThat(step.report(0).lastArrival()).hasValue(Duration.ofMillis(300));
    assertThat(step.report(0).arrivals()).isEqualTo(3);
    assertThat(step.stillArriving()).isFalse();
  }

  @Test
  void theNextSampleNeverOversleepsAnEnd() {
    PreStopStep step = step(1_000, 500, 5_000);
    assertThat(step.nextWaitNanos(T0, 50 * MS)).isEqualTo(50 * MS);
    assertThat(step.nextWaitNanos(T0 + 990 * MS, 50 * MS)).isEqualTo(10 * MS);
    assertThat(step(1_000, 0, 5_000).nextWaitNanos(T0 + 4_999 * MS, 50 * MS)).isEqualTo(MS);
  }
}
