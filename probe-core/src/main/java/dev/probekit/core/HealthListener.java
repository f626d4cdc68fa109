package dev.probekit.core;

/**
 * Told when a check's effective status changes (after thresholds), for example to log, alert or
 * bridge into a framework's own availability model.
 *
 * <p>Listeners that export metrics can also override the default methods, which are told about
 * every registration, every completed run and every removal, in the order they happen.
 *
 * <p>Called on the evaluator's or the caller's thread while {@link HealthRegistry} holds its lock, one call
 * per event: keep it quick, and do not block on other threads that use the same {@code HealthRegistry}. An
 * exception thrown by a listener is logged at WARN and does not affect the check or other
 * listeners.
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

  /**
   * Called once a check has been registered, before its first run. Does nothing by default.
   *
   * @param initial the new check's state, {@link Status#UNKNOWN}
   */
  default void onRegistered(CheckState initial) {}

  /**
   * Called after every completed or timed-out run, whether or not the status changed, and before
   * {@link #onTransition} when it did. Does nothing by default.
   *
   * @param current the state after the run; its {@linkplain CheckState#lastResult() last result}
   *     is this run's, with its duration
   */
  default void onResult(CheckState current) {}

  /**
   * Called once a check has been unregistered; no further call names it unless it is registered
   * again. Does nothing by default.
   *
   * @param last the check's state when it was removed
   */
  default void onUnregistered(CheckState last) {}
}
