package dev.probekit.core.lifecycle;

/**
 * The steps of the graceful shutdown, in order. Each runs at most once per {@link Lifecycle}, except
 * that ANNOUNCE and PRE_STOP_DELAY run again after a pre-stop call that no shutdown followed within
 * the grace period (the lifecycle then resumed normal service).
 *
 * <p>The timeline, from the signal to the exit, is drawn in the documentation of the {@code
 * dev.probekit.core} package.
 */
public enum DrainPhase {
  /** Readiness turns DOWN at once; liveness stays UP. */
  ANNOUNCE("announce"),
  /** Keep serving while endpoint removal propagates to load balancers and kube-proxy. */
  PRE_STOP_DELAY("pre-stop-delay"),
  /** Servers stop accepting new connections. */
  STOP_ACCEPTING("stop-accepting"),
  /** In-flight requests finish, up to the drain deadline. */
  DRAIN("drain"),
  /** Registered shutdown tasks run, last registered first. */
  SHUTDOWN_TASKS("shutdown-tasks");

  private final String tagValue;

  DrainPhase(String tagValue) {
    this.tagValue = tagValue;
  }

  /**
   * {@return the kebab-case name used in logs and metric tags, such as {@code "pre-stop-delay"}}
   */
  public String tagValue() {
    return tagValue;
  }
}
