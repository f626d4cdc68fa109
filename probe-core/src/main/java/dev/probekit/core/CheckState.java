package dev.probekit.core;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The immutable state of one registered check at one instant: its effective status after
 * thresholds, and the last result that led there.
 *
 * <p>The status is {@link Status#UNKNOWN} until the check has reached its success or failure
 * threshold for the first time (with the default thresholds of 1, until its first run completes).
 */
public final class CheckState {

  private final String name;
  private final Set<Probe> probes;
  private final boolean required;
  private final Status status;
  private final CheckResult lastResult;

  private CheckState(
      String name, Set<Probe> probes, boolean required, Status status, CheckResult lastResult) {
    this.name = name;
    this.probes = probes;
    this.required = required;
    this.status = status;
    this.lastResult = lastResult;
  }

  static CheckState unknown(String name, CheckOptions options) {
    return new CheckState(name, options.probes(), options.required(), Status.UNKNOWN, null);
  }

  CheckState next(Status status, CheckResult lastResult) {
    return new CheckState(name, probes, required, status, lastResult);
  }

  /** {@return the check's name} */
  public String name() {
    return name;
  }

  /** {@return the probes the check belongs to} */
  public Set<Probe> probes() {
    return probes;
  }

  /** {@return whether the check can fail its probes} */
  public boolean required() {
    return required;
  }

  /** {@return the effective status, after thresholds} */
  public Status status() {
    return status;
  }

  /** {@return the most recent completed (or timed-out) run, if any} */
  public Optional<CheckResult> lastResult() {
    return Optional.ofNullable(lastResult);
  }

  /** Whether this check lets {@code probe} pass: UP, optional, or UNKNOWN on liveness. */
  boolean passes(Probe probe) {
    return !required || status == Status.UP || (status == Status.UNKNOWN && probe.unknownPasses());
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CheckState)) {
      return false;
    }
    CheckState that = (CheckState) o;
    return required == that.required
        && name.equals(that.name)
        && probes.equals(that.probes)
        && status == that.status
        && Objects.equals(lastResult, that.lastResult);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, probes, required, status, lastResult);
  }

  @Override
  public String toString() {
    return "CheckState{" + name + "=" + status + (required ? "" : " (optional)") + ", last="
        + lastResult + '}';
  }
}
