package dev.probekit.core.lifecycle;

import dev.probekit.core.internal.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** How one {@link DrainParticipant} drained: what finished, what was abandoned, what failed. */
public final class ParticipantReport {
  private final String name;
  private final long drained;
  private final long abandoned;
  private final Duration took;
  private final String failure;

  private ParticipantReport(String name, long drained, long abandoned, Duration took, String failure) {
    this.name = name;
    this.drained = drained;
    this.abandoned = abandoned;
    this.took = took;
    this.failure = failure;
  }

  /**
   * A report; package-private, as only the lifecycle makes reports.
   *
   * @param name the participant's name
   * @param drained units of work that finished during the drain
   * @param abandoned units still in flight at the drain's deadline
   * @param took how long the participant took to become idle, or the whole wait if it did not
   * @param failure what the participant threw or how it hung; null if neither
   * @return the report
   */
  static ParticipantReport of(
      String name, long drained, long abandoned, Duration took, String failure) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(took, "took");
    if (drained < 0 || abandoned < 0) {
      throw new IllegalArgumentException(
          "drained: " + drained + ", abandoned: " + abandoned + " (expected: >= 0)");
    }
    return new ParticipantReport(name, drained, abandoned, took, failure);
  }

  /** {@return the participant's name} */
  public String name() {
    return name;
  }

  /** {@return units of work that finished during the drain} */
  public long drained() {
    return drained;
  }

  /** {@return units of work still in flight at the drain's deadline} */
  public long abandoned() {
    return abandoned;
  }

  /** {@return how long the participant took to become idle, or the whole wait if it did not} */
  public Duration took() {
    return took;
  }

  /** {@return what the participant threw or how it hung; empty if neither} */
  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  /** {@return whether nothing was abandoned and nothing failed} */
  public boolean isClean() {
    return abandoned == 0 && failure == null;
  }

  @Override
  public String toString() {
    return name
        + " drained="
        + drained
        + " abandoned="
        + abandoned
        + " in "
        + Durations.format(took)
        + (failure == null ? "" : " (" + failure + ")");
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ParticipantReport)) {
      return false;
    }
    ParticipantReport that = (ParticipantReport) o;
    return drained == that.drained
        && abandoned == that.abandoned
        && name.equals(that.name)
        && took.equals(that.took)
        && Objects.equals(failure, that.failure);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, drained, abandoned, took, failure);
  }
}
