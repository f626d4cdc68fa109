package dev.probekit.core;

import java.util.EnumMap;
import java.util.Map;

/**
 * The default plain-text responses, rendered once per class load: {@code ok} when UP and {@code
 * <probe> check failed} when DOWN, as the Kubernetes API server answers its own probes, each with
 * its strong ETag; and the 304s of a conditional request.
 */
final class DefaultResponses {
  private static final Map<Probe, ProbeResponse> UP = new EnumMap<>(Probe.class);
  private static final Map<Probe, ProbeResponse> DOWN = new EnumMap<>(Probe.class);
  private static final ProbeResponse OVERALL_UP = ProbeResponse.text(200, "ok").withEtag(true);
  private static final ProbeResponse OVERALL_DOWN =
      ProbeResponse.text(503, "health check failed").withEtag(true);

  static {
    for (Probe probe : Probe.values()) {
      UP.put(probe, OVERALL_UP);
      DOWN.put(probe, ProbeResponse.text(503, probe.displayName() + " check failed").withEtag(true));
    }
  }

  private static final ProbeResponse NOT_MODIFIED_UP = ProbeResponse.notModified(ETags.UP);
  private static final ProbeResponse NOT_MODIFIED_DOWN =
      ProbeResponse.notModified(ETags.DOWN);
  private static final ProbeResponse NOT_MODIFIED_WEAK_UP =
      ProbeResponse.notModified(ETags.WEAK_UP);
  private static final ProbeResponse NOT_MODIFIED_WEAK_DOWN =
      ProbeResponse.notModified(ETags.WEAK_DOWN);

  private DefaultResponses() {}

  /** The pre-rendered 304 for an answer tagged {@code etag} (one of {@link ETags}'). */
  static ProbeResponse notModified(String etag) {
    switch (etag) {
      case ETags.UP:
        return NOT_MODIFIED_UP;
      case ETags.DOWN:
        return NOT_MODIFIED_DOWN;
      case ETags.WEAK_UP:
        return NOT_MODIFIED_WEAK_UP;
      default:
        return NOT_MODIFIED_WEAK_DOWN;
    }
  }

  /** The response for a probe ({@code null} for the overall view) in a status. */
  static ProbeResponse of(Probe probe, Status status) {
    if (probe == null) {
      return status == Status.UP ? OVERALL_UP : OVERALL_DOWN;
    }
    return (status == Status.UP ? UP : DOWN).get(probe);
  }
}
