package dev.probekit.core;

/**
 * Told when a probe's aggregated status changes (UP to DOWN or back), for example to bridge into a
 * framework's availability model or to export a gauge.
 *
 * <p>Called on the thread that caused the change, in order, while {@link HealthRegistry} holds its lock:
 * keep it quick, and do not block on other threads that use the same {@code HealthRegistry}. An exception
 * thrown by a listener is logged at WARN and ignored.
 */
@FunctionalInterface
public interface ProbeListener {

  /**
   * Called after {@code current.probe()} changed status.
   *
   * @param previous the snapshot before
   * @param current the snapshot now
   */
  void onProbeChange(ProbeSnapshot previous, ProbeSnapshot current);
}
