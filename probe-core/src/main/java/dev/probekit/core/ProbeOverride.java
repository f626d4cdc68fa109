package dev.probekit.core;

import java.util.Optional;

/**
 * A manual switch that holds one probe DOWN whatever its checks say, for operators and for the
 * lifecycle (readiness goes DOWN with "shutting down" when a drain starts).
 *
 * <p>Obtained from {@link HealthRegistry#liveness()}, {@link HealthRegistry#readiness()} or {@link
 * HealthRegistry#startup()}. Thread-safe; each change publishes a new snapshot at once.
 */
public interface ProbeOverride {

  /** {@return the probe this override controls} */
  Probe probe();

  /**
   * Holds the probe DOWN until {@link #clear()}.
   *
   * @param reason why; logged, and shown to clients only when details are allowed
   */
  void down(String reason);

  /** Lets the checks decide again. Does nothing if the probe is not overridden. */
  void clear();

  /** {@return the reason the probe is held DOWN, or empty when it is not} */
  Optional<String> reason();
}
