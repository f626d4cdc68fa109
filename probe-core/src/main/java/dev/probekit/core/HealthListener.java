package dev.probekit.core;

/**
 * Told when a check's effective status changes (after thresholds), for example to log, alert or
 * bridge into a framework's own availability model.
 *
 * <p>Called on the evaluator's thread, one call per transition; keep it quick. An exception thrown
 * by a listener is logged at WARN and does not affect the check or other listeners.
 */
@FunctionalInterface
public interface HealthListener {

  /**
   * Called after {@code check} moved from {@code previous.status()} to {@code current.status()}.
   *
   * @param check the check's name
   * @param previous the state before, whose status may be {@link Status#UNKNOWN}
   * @param current the state now
   */
  void onTransition(String check, CheckState previous, CheckState current);
}
