package dev.probekit.core.lifecycle;

import java.time.Duration;

/**
 * Decides when the pre-stop step ends, from samples of the application requests started so far
 * ({@link InflightTracker#started()}); keeps no clock of its own, so tests drive it with any
 * readings.
 *
 * <pre>
 *   readiness DOWN ──> serve (Connection: close) ──┬─ min passed and no arrival for the quiet period ─> QUIET
 *                                                  └─ max passed ─────────────────────────────────────> MAXIMUM
 *   quiet period 0: the fixed delay ──────────────────── max passed ──────────────────────────────────> FIXED
 * </pre>
 *
 * An arrival is seen at the first sample after it: the poll interval bounds the error of {@link
 * #lastArrival()}.
 */
final class PreStopStep {
  private final long start;
  private final long min;
  private final long max;
  private final long quiet;
  private final long startedAtStart;
  private long lastCount;
  /** When the last arrival was seen, or {@code start} before any. */
  private long quietSince;
  private long lastArrivalAt = -1;
  private PreStopReport.Ending ending;
  private long endedAt;

  /**
   * A step starting now.
   *
   * @param start the ticker reading when readiness turned DOWN
   * @param started the requests started so far
   * @param min the least the step lasts when adaptive
   * @param max the most it lasts (the configured delay, capped by the budget)
   * @param quiet how long without arrivals ends it once {@code min} has passed; zero for the fixed
   *     delay
   */
  PreStopStep(long start, long started, Duration min, Duration max, Duration quiet) {
    this.start = start;
    this.max = max.toNanos();
    this.min = Math.min(min.toNanos(), this.max);
    this.quiet = quiet.toNanos();
    this.startedAtStart = started;
    this.lastCount = started;
    this.quietSince = start;
  }

  /** Whether the quiet period is configured, so the step may end before the maximum. */
  boolean adaptive() {
    return quiet > 0;
  }

  /**
   * Takes a sample; returns whether the step has ended (then {@link #report(long)} says how).
   *
   * @param now the ticker reading
   * @param started {@link InflightTracker#started()} now
   */
  boolean observe(long now, long started) {
    if (ending != null) {
      return true;
    }
    if (started != lastCount) {
      lastCount = started;
      lastArrivalAt = now;
      quietSince = now;
    }
    long elapsed = now - start;
    if (adaptive() && elapsed >= min && now - quietSince >= quiet) {
      end(PreStopReport.Ending.QUIET, now);
    } else if (elapsed >= max) {
      end(adaptive() ? PreStopReport.Ending.MAXIMUM : PreStopReport.Ending.FIXED, now);
    }
    return ending != null;
  }

  /** How long to wait before the next sample: at most {@code poll}, never past a possible end. */
  long nextWaitNanos(long now, long poll) {
    long untilMax = start + max - now;
    long untilQuiet =
        adaptive() ? Math.max(start + min, quietSince + quiet) - now : Long.MAX_VALUE;
    return Math.max(1, Math.min(poll, Math.min(untilMax, untilQuiet)));
  }

  /**
   * Whether requests were still arriving when the maximum ended an adaptive step: one arrived
   * within the last quiet period, so the balancers are slower than the maximum.
   */
  boolean stillArriving() {
    return ending == PreStopReport.Ending.MAXIMUM && lastArrivalAt >= 0 && endedAt - lastArrivalAt < quiet;
  }

  private void end(PreStopReport.Ending how, long now) {
    ending = how;
    endedAt = now;
  }

  /** The last arrival, measured from readiness DOWN; negative if none. */
  long lastArrival() {
    return lastArrivalAt < 0 ? -1 : lastArrivalAt - start;
  }

  /**
   * The evidence; call once the step has ended.
   *
   * @param readinessDown readiness probes answered 503 during the step
   */
  PreStopReport report(long readinessDown) {
    return PreStopReport.of(
        ending,
        Duration.ofNanos(endedAt - start),
        lastArrivalAt < 0 ? null : Duration.ofNanos(lastArrivalAt - start),
        lastCount - startedAtStart,
        readinessDown);
  }
}
