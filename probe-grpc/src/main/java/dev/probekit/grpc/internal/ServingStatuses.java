package dev.probekit.grpc.internal;

import dev.probekit.core.CheckState;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;

/**
 * Maps a {@code grpc.health.v1} service name onto Probekit's snapshots: {@code ""} is every probe,
 * {@code liveness} / {@code readiness} / {@code startup} one probe, any other name a check. Every
 * answer is a volatile read or two; nothing here runs a check.
 */
public final class ServingStatuses {

  /** The name of the overall status, as the protocol defines it. */
  public static final String OVERALL = "";

  /** Longer names cannot be a probe or a check (check names have at most 64 characters). */
  private static final int MAX_NAME = 64;

  private static final HealthCheckResponse[] RESPONSES = new HealthCheckResponse[4];

  static {
    for (ServingStatus s :
        new ServingStatus[] {
          ServingStatus.UNKNOWN,
          ServingStatus.SERVING,
          ServingStatus.NOT_SERVING,
          ServingStatus.SERVICE_UNKNOWN
        }) {
      RESPONSES[s.getNumber()] = HealthCheckResponse.newBuilder().setStatus(s).build();
    }
  }

  private ServingStatuses() {}

  /**
   * The current status of {@code service}, or {@link ServingStatus#SERVICE_UNKNOWN} if it names
   * neither a probe nor a registered check.
   *
   * @param health the registry
   * @param service the requested service name
   */
  public static ServingStatus current(HealthRegistry health, String service) {
    if (service.isEmpty()) {
      return overall(health);
    }
    Probe probe = probe(service);
    if (probe != null) {
      return of(health.snapshot(probe).isUp());
    }
    if (service.length() > MAX_NAME) {
      return ServingStatus.SERVICE_UNKNOWN;
    }
    return health.check(service).map(ServingStatuses::of).orElse(ServingStatus.SERVICE_UNKNOWN);
  }

  /**
   * The overall status: SERVING when all three probes are UP. Computed from the probe snapshots
   * rather than {@link HealthRegistry#overall()}, which is published after the probe listeners have run:
   * a watcher told from a listener and a {@code Check} must agree.
   *
   * @param health the registry
   */
  public static ServingStatus overall(HealthRegistry health) {
    return of(
        health.snapshot(Probe.LIVENESS).isUp()
            && health.snapshot(Probe.READINESS).isUp()
            && health.snapshot(Probe.STARTUP).isUp());
  }

  /** The probe a service name stands for, or {@code null}. Probe names win over check names. */
  public static Probe probe(String service) {
    switch (service) {
      case "liveness":
        return Probe.LIVENESS;
      case "readiness":
        return Probe.READINESS;
      case "startup":
        return Probe.STARTUP;
      default:
        return null;
    }
  }

  /** SERVING or NOT_SERVING. */
  public static ServingStatus of(boolean up) {
    return up ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  }

  /** A check's own status: UP SERVING, DOWN NOT_SERVING, no result yet UNKNOWN. */
  public static ServingStatus of(CheckState check) {
    switch (check.status()) {
      case UP:
        return ServingStatus.SERVING;
      case DOWN:
        return ServingStatus.NOT_SERVING;
      default:
        return ServingStatus.UNKNOWN;
    }
  }

  /** The shared, immutable response message for {@code status}. */
  public static HealthCheckResponse response(ServingStatus status) {
    return RESPONSES[status.getNumber()];
  }
}
