package dev.probekit.core;

import dev.probekit.core.internal.Failures;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable, aggregated view of one probe at one instant, with its default HTTP responses
 * already rendered.
 *
 * <p>{@link HealthRegistry} publishes a new snapshot whenever a check in the probe completes a run or an
 * override changes, so serving a probe is a volatile read of the current snapshot and a copy of
 * its ready bytes. The overall {@code /healthz} view is a snapshot whose {@link #probe()} is empty.
 */
public final class ProbeSnapshot {

  private final Probe probe;
  private final Status status;
  private final List<CheckState> checks;
  private final Map<String, CheckState> checksByName;
  private final String overrideReason;
  private final Instant time;
  /** For the overall view: the three probe snapshots it was built from; else empty. */
  private final List<ProbeSnapshot> parts;
  private final ProbeResponse response;
  private final ProbeResponse headResponse;

  ProbeSnapshot(
      Probe probe,
      Status status,
      List<CheckState> checks,
      String overrideReason,
      Instant time,
      List<ProbeSnapshot> parts) {
    this.probe = probe;
    this.status = status;
    this.checks = Collections.unmodifiableList(checks);
    Map<String, CheckState> byName = new HashMap<>(checks.size() * 2);
    for (CheckState c : checks) {
      byName.put(c.name(), c);
    }
    this.checksByName = byName;
    this.overrideReason = overrideReason;
    this.time = time;
    this.parts = parts;
    this.response = DefaultResponses.of(probe, status);
    this.headResponse = response.forHead();
  }

  /** {@return the probe, or empty for the overall {@code /healthz} view} */
  public Optional<Probe> probe() {
    return Optional.ofNullable(probe);
  }

  /** {@return {@code "liveness"}, {@code "readiness"}, {@code "startup"}, or {@code "health"}} */
  public String name() {
    return probe == null ? "health" : probe.displayName();
  }

  /** {@return {@link Status#UP} or {@link Status#DOWN}} */
  public Status status() {
    return status;
  }

  /** {@return whether {@link #status()} is UP} */
  public boolean isUp() {
    return status == Status.UP;
  }

  /** {@return the checks in this probe, in registration order; unmodifiable} */
  public List<CheckState> checks() {
    return checks;
  }

  /**
   * The named check, if it is in this probe.
   *
   * @param name the check's name
   * @return the check's state, or empty
   */
  public Optional<CheckState> check(String name) {
    return Optional.ofNullable(checksByName.get(name));
  }

  /** {@return the reason of a manual override holding this probe DOWN, if any} */
  public Optional<String> overrideReason() {
    return Optional.ofNullable(overrideReason);
  }

  /** {@return when this snapshot was built} */
  public Instant time() {
    return time;
  }

  List<ProbeSnapshot> parts() {
    return parts;
  }

  /** The pre-rendered default (plain-text, no query) response. */
  ProbeResponse response(boolean head) {
    return head ? headResponse : response;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ProbeSnapshot)) {
      return false;
    }
    ProbeSnapshot that = (ProbeSnapshot) o;
    return probe == that.probe
        && status == that.status
        && checks.equals(that.checks)
        && Objects.equals(overrideReason, that.overrideReason)
        && time.equals(that.time);
  }

  @Override
  public int hashCode() {
    return Objects.hash(probe, status, checks, overrideReason, time);
  }

  @Override
  public String toString() {
    return "ProbeSnapshot{" + name() + "=" + status + ", checks=" + checks.size()
        + (overrideReason == null ? "" : ", override=" + Failures.clean(overrideReason)) + '}';
  }
}
