package dev.probekit.it.hostile;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.Status;
import dev.probekit.servlet.ProbeServlets;
import jakarta.servlet.ServletContainerInitializer;
import java.time.Duration;

/**
 * The health every server under attack serves: one UP check and one DOWN readiness check whose
 * message holds a "secret" that must never appear in an answer.
 */
final class HostileHealth {
  private HostileHealth() {}

  static HealthRegistry create() {
    HealthRegistry health = HealthRegistry.builder().build();
    health.register("ping", CheckResult::up, CheckOptions.of(Probe.LIVENESS, Probe.READINESS));
    health.register("db", () -> CheckResult.down("password=secret refused"), CheckOptions.of(Probe.READINESS));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> health.snapshot(Probe.READINESS).status() == Status.DOWN
            && health.snapshot(Probe.LIVENESS).status() == Status.UP);
    return health;
  }

  static ServletContainerInitializer servlets(HealthRegistry health) {
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);
    return (classes, context) -> ProbeServlets.register(context, endpoints);
  }
}
