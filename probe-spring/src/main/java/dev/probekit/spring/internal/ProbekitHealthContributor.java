package dev.probekit.spring.internal;

import dev.probekit.core.CheckState;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Probekit's probes as one Actuator contributor named {@code probekit}, with members {@code
 * liveness}, {@code readiness} and {@code startup}, so that health groups can include {@code
 * probekit} or {@code probekit/readiness}. Each member reads the latest snapshot: it never runs a
 * check. Details list each check's status only, never its message.
 */
public final class ProbekitHealthContributor implements CompositeHealthContributor {

  /** The contributor's name in Actuator. */
  public static final String NAME = "probekit";

  private final Map<String, HealthIndicator> members = new LinkedHashMap<>();

  public ProbekitHealthContributor(HealthRegistry health) {
    members.put("liveness", indicator(health, Probe.LIVENESS));
    members.put("readiness", indicator(health, Probe.READINESS));
    members.put("startup", indicator(health, Probe.STARTUP));
  }

  private static HealthIndicator indicator(HealthRegistry health, Probe probe) {
    return new HealthIndicator() {
      @Override
      public Health health() {
        return health(true);
      }

      @Override
      public Health health(boolean includeDetails) {
        ProbeSnapshot s = health.snapshot(probe);
        Status status =
            s.isUp() ? Status.UP : probe == Probe.READINESS ? Status.OUT_OF_SERVICE : Status.DOWN;
        Health.Builder b =
            Health.status(status);
        if (includeDetails) {
          for (CheckState c : s.checks()) {
            b.withDetail(c.name(), String.valueOf(c.status()));
          }
        }
        return b.build();
      }
    };
  }

  @Override
  public HealthContributor getContributor(String name) {
    return members.get(name);
  }

  @Override
  public Stream<HealthContributors.Entry> stream() {
    return members.entrySet().stream().map(e -> new HealthContributors.Entry(e.getKey(), e.getValue()));
  }
}
