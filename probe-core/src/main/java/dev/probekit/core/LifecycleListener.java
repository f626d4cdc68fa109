package dev.probekit.core;

import java.time.Duration;

/**
 * Told as each {@link DrainPhase} completes, for example to record phase durations as metrics.
 * Called on the thread running the sequence; exceptions are logged at WARN and ignored.
 */
@FunctionalInterface
public interface LifecycleListener {

  /**
   * Called once when {@code phase} has completed.
   *
   * @param phase the phase
   * @param took how long it took
   */
  void onPhaseCompleted(DrainPhase phase, Duration took);
}
