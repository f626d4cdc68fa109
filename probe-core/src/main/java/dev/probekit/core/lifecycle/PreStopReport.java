package dev.probekit.core.lifecycle;

import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.internal.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the pre-stop step went: how it ended, and the evidence of how long the load balancers took
 * to stop sending traffic after readiness turned DOWN. In the shutdown summary, told to {@link
 * LifecycleListener#onPreStopEnded(PreStopReport)}, and published by {@link dev.probekit.core.micrometer.ProbeMetrics}.
 */
public final class PreStopReport {

  /** How the pre-stop step ended. */
  public enum Ending {
    /** The fixed pre-stop delay was served (no quiet period configured). */
    FIXED("fixed"),
    /** The minimum had passed and no application request arrived for the quiet period. */
    QUIET("quiet"),
    /** The maximum (the pre-stop delay) was reached first. */
    MAXIMUM("maximum"),
    /** Never ready, so no balancer sent traffic: no delay. */
    SKIPPED("skipped");

    private final String tagValue;

    Ending(String tagValue) {
      this.tagValue = tagValue;
    }

    /** {@return the lower-case name used in logs and metric tags, such as {@code "quiet"}} */
    public String tagValue() {
      return tagValue;
    }
  }

  private final Ending ending;
  private final Duration duration;
  private final Duration lastArrival;
  private final long arrivals;
  private final long readinessDown;

  private PreStopReport(
      Ending ending, Duration duration, Duration lastArrival, long arrivals, long readinessDown) {
    this.ending = ending;
    this.duration = duration;
    this.lastArrival = lastArrival;
    this.arrivals = arrivals;
    this.readinessDown = readinessDown;
  }

  /**
   * A report; package-private, as only the lifecycle makes reports.
   *
   * @param ending how the step ended
   * @param duration how long it lasted
   * @param lastArrival when the last application request arrived, after readiness DOWN; null if
   *     none arrived
   * @param arrivals application requests that arrived during the step
   * @param readinessDown readiness probes answered 503 during the step
   * @return the report
   */
  static PreStopReport of(
      Ending ending, Duration duration, Duration lastArrival, long arrivals, long readinessDown) {
    Objects.requireNonNull(ending, "ending");
    Objects.requireNonNull(duration, "duration");
    if (arrivals < 0) {
      throw new IllegalArgumentException("arrivals: " + arrivals + " (expected: >= 0)");
    }
    if (readinessDown < 0) {
      throw new IllegalArgumentException("readinessDown: " + readinessDown + " (expected: >= 0)");
    }
    return new PreStopReport(ending, duration, lastArrival, arrivals, readinessDown);
  }

  /** {@return how the step ended} */
  public Ending ending() {
    return ending;
  }

  /** {@return how long the step lasted} */
  public Duration duration() {
    return duration;
  }

  /**
   * When the last application request arrived, measured from readiness DOWN: how long the
   * balancers really took to stop sending traffic. Empty if none arrived.
   *
   * @return the time from readiness DOWN to the last arrival, or empty
   */
  public Optional<Duration> lastArrival() {
    return Optional.ofNullable(lastArrival);
  }

  /** {@return application requests that arrived during the step} */
  public long arrivals() {
    return arrivals;
  }

  /**
   * Readiness probes answered 503 during the step (by {@link ProbeEndpoints}, from the pre-stop's
   * start until it ended): zero means no balancer or kubelet asked, so none could have learned of
   * readiness DOWN from this pod.
   *
   * @return the count
   */
  public long readinessDown() {
    return readinessDown;
  }

  /**
   * {@code pre-stop ended=quiet after 1.2s, arrivals=37, last arrival=440ms, readiness 503s=6}.
   */
  @Override
  public String toString() {
    return "pre-stop ended="
        + ending.tagValue()
        + " after "
        + Durations.format(duration)
        + ", arrivals="
        + arrivals
        + ", last arrival="
        + (lastArrival == null ? "none" : Durations.format(lastArrival))
        + ", readiness 503s="
        + readinessDown;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof PreStopReport)) {
      return false;
    }
    PreStopReport that = (PreStopReport) o;
    return arrivals == that.arrivals
        && readinessDown == that.readinessDown
        && ending == that.ending
        && duration.equals(that.duration)
        && Objects.equals(lastArrival, that.lastArrival);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ending, duration, lastArrival, arrivals, readinessDown);
  }
}
