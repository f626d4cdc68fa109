package dev.probekit.core.lifecycle;

import java.time.Duration;

/**
 * Told as each {@link DrainPhase} completes, for example to record phase durations as metrics.
 * Called on the thread running the sequence; whatever a listener throws (an {@link Error}
 * included) is logged at WARN, counted as a fault of the sequence and does not stop it.
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

  /**
   * Called once for each fault of the sequence: user code (a stop-accepting action, a listener, a
   * shutdown task) that threw or timed out; the sequence goes on. Default: nothing.
   *
   * @param phase the phase during which it happened
   * @param description what failed and how, such as {@code "shutdown task 'pool': timed out"}
   */
  default void onFault(DrainPhase phase, String description) {}

  /**
   * Called once when the pre-stop step has ended, before {@link DrainPhase#PRE_STOP_DELAY} is
   * reported completed, with how it ended and how long traffic kept arriving. Default: nothing.
   *
   * @param report the evidence
   */
  default void onPreStopEnded(PreStopReport report) {}

  /**
   * Called once per drain participant when {@link DrainPhase#DRAIN} ends, before the phase is
   * reported completed: what it drained and abandoned, and how it failed. The HTTP requests come
   * first, as the participant {@value DrainParticipant#HTTP}. Default: nothing.
   *
   * @param report the participant's report
   */
  default void onParticipantDrained(ParticipantReport report) {}
}
