package dev.probekit.core;

/** The three Kubernetes probes a check can belong to. */
public enum Probe {
  /** "This process can make progress": failing it makes the kubelet restart the container. */
  LIVENESS("liveness", "livez"),
  /** "Send me traffic": failing it removes the pod from its Services' endpoints. */
  READINESS("readiness", "readyz"),
  /** "Start-up is over": until it passes, the kubelet runs neither of the other probes. */
  STARTUP("startup", "startupz");

  private final String displayName;
  private final String pathSegment;

  Probe(String displayName, String pathSegment) {
    this.displayName = displayName;
    this.pathSegment = pathSegment;
  }

  /** {@return the lower-case name used in bodies and JSON, such as {@code "readiness"}} */
  public String displayName() {
    return displayName;
  }

  /** {@return the path segment this probe is served at, such as {@code "readyz"}} */
  public String pathSegment() {
    return pathSegment;
  }

  /**
   * Whether a check in this probe that has not produced a status yet lets the probe pass. Only
   * liveness does: a pod must never be killed because a check has not run yet.
   */
  boolean unknownPasses() {
    return this == LIVENESS;
  }
}
