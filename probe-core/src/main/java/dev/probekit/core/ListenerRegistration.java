package dev.probekit.core;

/**
 * A listener's registration; {@link #close()} removes the listener. Returned by {@link
 * dev.probekit.core.lifecycle.Lifecycle#addListener(LifecycleListener)}, {@link HealthRegistry#addListener(HealthListener)} and {@link
 * HealthRegistry#addProbeListener(ProbeListener)}, so that an owner (a metrics binding, a framework bridge)
 * can remove exactly what it added, in a try-with-resources if it likes.
 */
@FunctionalInterface
public interface ListenerRegistration extends AutoCloseable {

  /**
   * Removes the listener: no call to it starts after this returns (one already running may
   * finish). Idempotent; never throws.
   */
  @Override
  void close();
}
