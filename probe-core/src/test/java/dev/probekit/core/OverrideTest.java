package dev.probekit.core;

import static dev.probekit.core.HealthFixture.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Manual overrides hold one probe DOWN at once, whatever its checks say, until cleared. */
class OverrideTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  @Test
  void downHoldsOnlyThatProbeDownAtOnceAndClearRestoresIt() {
    HealthRegistry health = fixture.health();
    health.register("db", () -> CheckResult.up(), CheckOptions.of(Probe.READINESS, Probe.LIVENESS));
    awaitStatus(health, "db", Status.UP);

    health.readiness().down("maintenance");
    // No waiting: the override publishes a new snapshot before down() returns.
    ProbeSnapshot readiness = health.snapshot(Probe.READINESS);
    assertThat(readiness.status()).isEqualTo(Status.DOWN);
    assertThat(readiness.overrideReason()).hasValue("maintenance");
    assertThat(health.readiness().reason()).hasValue("maintenance");
    assertThat(health.override(Probe.READINESS)).isSameAs(health.readiness());
    assertThat(health.snapshot(Probe.LIVENESS).status()).isEqualTo(Status.UP);
    assertThat(health.snapshot(Probe.STARTUP).status()).isEqualTo(Status.UP);
    assertThat(health.overall().status()).isEqualTo(Status.DOWN);
    assertThat(ProbeEndpoints.of(health).handle("GET", "/readyz", null, null).status()).isEqualTo(503);

    health.readiness().clear();
    assertThat(health.snapshot(Probe.READINESS).status()).isEqualTo(Status.UP);
    assertThat(health.snapshot(Probe.READINESS).overrideReason()).isEmpty();
    assertThat(health.readiness().reason()).isEmpty();
    assertThat(ProbeEndpoints.of(health).handle("GET", "/readyz", null, null).status()).isEqualTo(200);
  }

  @Test
  void clearLetsTheChecksDecideAgain() {
    HealthRegistry health = fixture.health();
    health.register("db", () -> CheckResult.down("gone"), CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.DOWN);

    health.readiness().down("draining");
    health.readiness().clear();

    assertThat(health.snapshot(Probe.READINESS).status()).as("db is still down").isEqualTo(Status.DOWN);
  }

  @Test
  void everyProbeHasItsOwnOverride() {
    HealthRegistry health = fixture.health();

    health.liveness().down("wedged");
    health.startup().down("migrating");

    assertThat(health.snapshot(Probe.LIVENESS).status()).isEqualTo(Status.DOWN);
    assertThat(health.snapshot(Probe.STARTUP).status()).isEqualTo(Status.DOWN);
    assertThat(health.snapshot(Probe.READINESS).status()).isEqualTo(Status.UP);
    assertThat(health.liveness().probe()).isEqualTo(Probe.LIVENESS);
    assertThat(ProbeEndpoints.of(health).handle("GET", "/livez", null, null).bodyAsString())
        .isEqualTo("liveness check failed");
  }

  @Test
  void repeatingTheSameOverrideChangesNothingAndClearWithoutOverrideIsANoOp() {
    HealthRegistry health = fixture.health();
    List<String> changes = new CopyOnWriteArrayList<>();
    health.addProbeListener((previous, current) -> changes.add(current.name() + " " + current.status()));

    health.readiness().clear();
    health.readiness().down("maintenance");
    ProbeSnapshot held = health.snapshot(Probe.READINESS);
    health.readiness().down("maintenance");
    assertThat(health.snapshot(Probe.READINESS)).as("no new snapshot").isSameAs(held);
    health.readiness().down("another reason");
    assertThat(health.snapshot(Probe.READINESS).overrideReason()).hasValue("another reason");
    health.readiness().clear();
    health.readiness().clear();

    assertThat(changes).containsExactly("readiness DOWN", "readiness UP");
  }

  @Test
  void overrideReasonIsRequired() {
    HealthRegistry health = fixture.health();

    assertThatThrownBy(() -> health.readiness().down(null)).isInstanceOf(NullPointerException.class);
    assertThat(health.snapshot(Probe.READINESS).status()).isEqualTo(Status.UP);
  }
}
