package dev.probekit.core;

/**
 * A health check: a piece of code that tells whether one part of the service is healthy.
 *
 * <p>Checks run in the background on their own schedule (see {@link CheckOptions}), never on a
 * probe request. A check may block, but it should honour interruption: when it runs past its
 * timeout its thread is interrupted and the result is {@link Status#DOWN} ("timed out after 2s").
 * A check that ignores the interrupt is not run again until it returns, and stays DOWN meanwhile.
 *
 * <p>A check that throws is DOWN, with the exception recorded (shown only when details are
 * allowed).
 *
 * <pre>{@code
 * HealthCheck db = () -> dataSource.isValid() ? CheckResult.up() : CheckResult.down("no connection");
 * }</pre>
 */
@FunctionalInterface
public interface HealthCheck {

  /**
   * Runs the check once.
   *
   * @return the result, never {@code null} (a {@code null} counts as DOWN)
   * @throws Exception any failure, which counts as DOWN
   */
  CheckResult check() throws Exception;

  /**
   * Whether this check reaches other systems (a database, a broker, another service). Such a check
   * must not decide liveness: registering it on {@link Probe#LIVENESS} logs a warning, because a
   * shared dependency going down would then restart every pod at once.
   *
   * @return {@code false} unless overridden; see {@link #remote(HealthCheck)}
   */
  default boolean isRemote() {
    return false;
  }

  /**
   * Marks a check, typically a lambda, as one that reaches other systems.
   *
   * @param check the check to mark
   * @return a check that delegates to {@code check} and whose {@link #isRemote()} is true
   */
  static HealthCheck remote(HealthCheck check) {
    if (check == null) {
      throw new NullPointerException("check");
    }
    return new HealthCheck() {
      @Override
      public CheckResult check() throws Exception {
        return check.check();
      }

      @Override
      public boolean isRemote() {
        return true;
      }

      @Override
      public String toString() {
        return "remote(" + check + ")";
      }
    };
  }
}
