package dev.probekit.core;

import java.util.EnumMap;
import java.util.Map;

/**
 * The default plain-text responses, rendered once per class load: {@code ok} when UP and {@code
 * <probe> check failed} when DOWN, as the Kubernetes API server answers its own probes.
 */
final class DefaultResponses {
  private static final Map<Probe, ProbeResponse> UP = new EnumMap<>(Probe.class);
  private static final Map<Probe, ProbeResponse> DOWN = new EnumMap<>(Probe.class);
  private static final ProbeResponse OVERALL_UP = ProbeResponse.text(200, "ok").prerendered();
  private static final ProbeResponse OVERALL_DOWN =
      ProbeResponse.text(503, "health check failed").prerendered();

  static {
    for (Probe probe : Probe.values()) {
      UP.put(probe, OVERALL_UP);
      DOWN.put(probe, ProbeResponse.text(503, probe.displayName() + " check failed").prerendered());
    }
  }

  private DefaultResponses() {}

  /** The response for a probe ({@code null} for the overall view) in a status. */
  static ProbeResponse of(Probe probe, Status status) {
    if (probe == null) {
      return status == Status.UP ? OVERALL_UP : OVERALL_DOWN;
    }
    return (status == Status.UP ? UP : DOWN).get(probe);
  }
}
