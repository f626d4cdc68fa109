package dev.probekit.core;

import dev.probekit.core.internal.Durations;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What a graceful shutdown did: how long each phase took, what drained, what failed. */
public final class ShutdownSummary {
  private final Map<DrainPhase, Duration> phaseDurations;
  private final Duration total;
  private final long requestsDrained;
  private final long requestsAbandoned;
  private final List<String> failedTasks;

  private ShutdownSummary(
      Map<DrainPhase, Duration> phaseDurations,
      Duration total,
      long requestsDrained,
      long requestsAbandoned,
      List<String> failedTasks) {
    this.phaseDurations = Collections.unmodifiableMap(new EnumMap<>(phaseDurations));
    this.total = total;
    this.requestsDrained = requestsDrained;
    this.requestsAbandoned = requestsAbandoned;
    this.failedTasks = List.copyOf(failedTasks);
  }

  /**
   * A summary.
   *
   * @param phaseDurations how long each phase that ran took
   * @param total the whole sequence's duration
   * @param requestsDrained requests that finished between stop-accepting and the drain deadline
   * @param requestsAbandoned requests still in flight at the drain deadline
   * @param failedTasks names of the shutdown tasks that threw or timed out
   * @return the summary
   */
  public static ShutdownSummary of(
      Map<DrainPhase, Duration> phaseDurations,
      Duration total,
      long requestsDrained,
      long requestsAbandoned,
      List<String> failedTasks) {
    Objects.requireNonNull(phaseDurations, "phaseDurations");
    Objects.requireNonNull(total, "total");
    Objects.requireNonNull(failedTasks, "failedTasks");
    return new ShutdownSummary(
        phaseDurations.isEmpty() ? new EnumMap<>(DrainPhase.class) : phaseDurations,
        total,
        requestsDrained,
        requestsAbandoned,
        failedTasks);
  }

  /** {@return how long each phase that ran took, in phase order; unmodifiable} */
  public Map<DrainPhase, Duration> phaseDurations() {
    return phaseDurations;
  }

  /** {@return the whole sequence's duration} */
  public Duration total() {
    return total;
  }

  /**
   * {@return requests that finished after the servers began to stop accepting, before the drain
   * deadline}
   */
  public long requestsDrained() {
    return requestsDrained;
  }

  /** {@return requests still in flight at the drain deadline} */
  public long requestsAbandoned() {
    return requestsAbandoned;
  }

  /** {@return names of the shutdown tasks that threw or timed out, in the order they ran} */
  public List<String> failedTasks() {
    return failedTasks;
  }

  /** The one summary line that the lifecycle logs. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("graceful shutdown finished in ").append(Durations.format(total)).append(':');
    for (Map.Entry<DrainPhase, Duration> e : phaseDurations.entrySet()) {
      sb.append(' ').append(e.getKey().tagValue()).append('=').append(Durations.format(e.getValue()));
    }
    sb.append(", requests drained=").append(requestsDrained);
    sb.append(", abandoned=").append(requestsAbandoned);
    sb.append(", tasks failed=").append(failedTasks.size());
    if (!failedTasks.isEmpty()) {
      sb.append(' ').append(failedTasks);
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ShutdownSummary)) {
      return false;
    }
    ShutdownSummary that = (ShutdownSummary) o;
    return requestsDrained == that.requestsDrained
        && requestsAbandoned == that.requestsAbandoned
        && phaseDurations.equals(that.phaseDurations)
        && total.equals(that.total)
        && failedTasks.equals(that.failedTasks);
  }

  @Override
  public int hashCode() {
    return Objects.hash(phaseDurations, total, requestsDrained, requestsAbandoned, failedTasks);
  }
}
