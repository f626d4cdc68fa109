package dev.probekit.core.lifecycle;

import dev.probekit.core.internal.Durations;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a graceful shutdown did: how long each phase took, what drained, what failed: shutdown tasks
 * that threw or timed out, and faults of the other user code the sequence called (stop-accepting
 * actions, lifecycle and probe listeners), each of which the sequence logged and went past.
 */
public final class ShutdownSummary {
  private final Map<DrainPhase, Duration> phaseDurations;
  private final Duration total;
  private final long requestsDrained;
  private final long requestsAbandoned;
  private final List<String> failedTasks;
  private final List<String> faults;
  private final PreStopReport preStop;
  private final List<ParticipantReport> participants;

  /**
   * Made only by the lifecycle when its sequence ends: the summary is an output, so it has no
   * public factory that would grow with each thing the sequence learns to report.
   *
   * @param phaseDurations how long each phase that ran took
   * @param total the whole sequence's duration
   * @param requestsDrained requests that finished between stop-accepting and the drain deadline
   * @param requestsAbandoned requests still in flight at the drain deadline
   * @param failedTasks names of the shutdown tasks that threw or timed out
   * @param faults one description per failure of other user code, such as {@code
   *     "stop-accepting: stop-accepting action 'app' threw AssertionError: boom"}
   * @param preStop how the pre-stop step went; null if it did not run
   * @param participants one report per drain participant, HTTP requests first
   */
  ShutdownSummary(
      Map<DrainPhase, Duration> phaseDurations,
      Duration total,
      long requestsDrained,
      long requestsAbandoned,
      List<String> failedTasks,
      List<String> faults,
      PreStopReport preStop,
      List<ParticipantReport> participants) {
    // EnumMap's copy constructor rejects an empty map that is not an EnumMap.
    this.phaseDurations =
        Collections.unmodifiableMap(
            Objects.requireNonNull(phaseDurations, "phaseDurations").isEmpty()
                ? new EnumMap<>(DrainPhase.class)
                : new EnumMap<>(phaseDurations));
    this.total = Objects.requireNonNull(total, "total");
    this.requestsDrained = requestsDrained;
    this.requestsAbandoned = requestsAbandoned;
    this.failedTasks = List.copyOf(failedTasks);
    this.faults = List.copyOf(faults);
    this.preStop = preStop;
    this.participants = List.copyOf(participants);
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

  /**
   * Failures of user code other than shutdown tasks (stop-accepting actions, listeners), in the
   * order they happened; each was logged at WARN and the sequence went on.
   *
   * @return the descriptions, in order; unmodifiable
   */
  public List<String> faults() {
    return faults;
  }

  /**
   * {@return how the pre-stop step went: how it ended, when the last request arrived; empty if it
   * did not run}
   */
  public Optional<PreStopReport> preStop() {
    return Optional.ofNullable(preStop);
  }

  /**
   * One report per drain participant, in registration order, the HTTP requests ({@value
   * DrainParticipant#HTTP}) first.
   *
   * @return the reports
   */
  public List<ParticipantReport> participants() {
    return participants;
  }

  /**
   * Whether the shutdown lost nothing: no request abandoned, no participant's work abandoned, no
   * task failed, no fault. The signal
   * handler exits with {@link Lifecycle#EXIT_CLEAN} when it is, else with {@link
   * Lifecycle#EXIT_DEGRADED}.
   *
   * @return {@code true} if nothing was lost
   */
  public boolean isClean() {
    return requestsAbandoned == 0
        && failedTasks.isEmpty()
        && faults.isEmpty()
        && participants.stream().allMatch(ParticipantReport::isClean);
  }

  /** The one summary line that the lifecycle logs. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("graceful shutdown finished in ").append(Durations.format(total)).append(':');
    for (Map.Entry<DrainPhase, Duration> e : phaseDurations.entrySet()) {
      sb.append(' ').append(e.getKey().tagValue()).append('=').append(Durations.format(e.getValue()));
    }
    if (preStop != null) {
      sb.append(", ").append(preStop);
    }
    sb.append(", requests drained=").append(requestsDrained);
    sb.append(", abandoned=").append(requestsAbandoned);
    // The HTTP participant is the requests above; the others are listed when there are any.
    List<ParticipantReport> others = new java.util.ArrayList<>();
    for (ParticipantReport p : participants) {
      if (!p.name().equals(DrainParticipant.HTTP)) {
        others.add(p);
      }
    }
    if (!others.isEmpty()) {
      sb.append(", participants ").append(others);
    }
    sb.append(", tasks failed=").append(failedTasks.size());
    if (!failedTasks.isEmpty()) {
      sb.append(' ').append(failedTasks);
    }
    sb.append(", faults=").append(faults.size());
    if (!faults.isEmpty()) {
      sb.append(' ').append(faults);
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
        && failedTasks.equals(that.failedTasks)
        && faults.equals(that.faults)
        && Objects.equals(preStop, that.preStop)
        && participants.equals(that.participants);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        phaseDurations,
        total,
        requestsDrained,
        requestsAbandoned,
        failedTasks,
        faults,
        preStop,
        participants);
  }
}
