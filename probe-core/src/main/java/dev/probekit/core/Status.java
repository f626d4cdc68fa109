package dev.probekit.core;

/**
 * The status of a check or a probe.
 *
 * <p>{@link #UNKNOWN} exists only for checks that have not yet completed enough runs to reach a
 * threshold; a {@link CheckResult} is always {@link #UP} or {@link #DOWN}, and a {@link
 * ProbeSnapshot} is always {@link #UP} or {@link #DOWN}.
 */
public enum Status {
  /** Healthy: the probe answers 200. */
  UP,
  /** Unhealthy: the probe answers 503. */
  DOWN,
  /**
   * Not yet known: no threshold reached since registration. Counts as not ready for {@link
   * Probe#READINESS} and {@link Probe#STARTUP}, and as alive for {@link Probe#LIVENESS}.
   */
  UNKNOWN
}
