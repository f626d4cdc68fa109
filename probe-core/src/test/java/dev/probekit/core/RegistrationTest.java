package dev.probekit.core;

import static dev.probekit.core.HealthFixture.awaitStatus;
import static dev.probekit.core.HealthFixture.waiting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.probekit.core.testkit.SwitchableCheck;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checks come and go at runtime; names are validated and unique. */
class RegistrationTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  @Test
  void checkRegisteredAtRuntimeIsUnknownThenEvaluated() {
    HealthRegistry health = fixture.health();
    health.register("first", () -> CheckResult.up(), CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "first", Status.UP);

    health.register("second", () -> CheckResult.up(), CheckOptions.builder(Probe.READINESS).initialDelay(Duration.ofMillis(200)).build());

    assertThat(health.checkNames()).containsExactly("first", "second");
    assertThat(health.snapshot(Probe.READINESS).check("second").orElseThrow().status()).isEqualTo(Status.UNKNOWN);
    assertThat(health.snapshot(Probe.READINESS).status()).as("not ready until it has run").isEqualTo(Status.DOWN);
    awaitStatus(health, "second", Status.UP);
    assertThat(health.snapshot(Probe.READINESS).status()).isEqualTo(Status.UP);
    assertThat(health.snapshot(Probe.READINESS).checks()).extracting(CheckState::name).containsExactly("first", "second");
  }

  @Test
  void unregisteringADownCheckLiftsItsProbeAtOnce() {
    HealthRegistry health = fixture.health();
    health.register("db", () -> CheckResult.down("gone"), CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.DOWN);

    assertThat(health.unregister("db")).isTrue();

    assertThat(health.snapshot(Probe.READINESS).status()).isEqualTo(Status.UP);
    assertThat(health.snapshot(Probe.READINESS).check("db")).isEmpty();
    assertThat(health.overall().check("db")).isEmpty();
    assertThat(health.check("db")).isEmpty();
    assertThat(health.checkNames()).isEmpty();
    assertThat(ProbeEndpoints.of(health).handle("GET", "/readyz/db", null, null).status()).isEqualTo(404);
    assertThat(health.unregister("db")).as("already gone").isFalse();
    assertThat(health.unregister("never-registered")).isFalse();
  }

  @Test
  void unregisteredCheckIsNeverRunAgain() {
    HealthRegistry health = fixture.health();
    SwitchableCheck removed = new SwitchableCheck(CheckResult.up());
    SwitchableCheck clock = new SwitchableCheck(CheckResult.up());
    health.register("removed", removed, CheckOptions.of(Probe.READINESS));
    health.register("clock", clock, CheckOptions.of(Probe.LIVENESS));
    waiting().until(() -> removed.runs() >= 3);

    health.unregister("removed");
    // A run that was already starting when unregister() was called may still happen; after a
    // few intervals nothing more may.
    int ticks = clock.runs();
    waiting().until(() -> clock.runs() >= ticks + 3);
    int runsAfter = removed.runs();
    waiting().until(() -> clock.runs() >= ticks + 15);

    assertThat(removed.runs()).isEqualTo(runsAfter);
  }

  @Test
  void nameCanBeRegisteredAgainAfterUnregister() {
    HealthRegistry health = fixture.health();
    health.register("db", () -> CheckResult.down("old"), CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.DOWN);
    health.unregister("db");

    health.register("db", () -> CheckResult.up("new"), CheckOptions.of(Probe.LIVENESS));

    awaitStatus(health, "db", Status.UP);
    assertThat(health.snapshot(Probe.LIVENESS).check("db")).isPresent();
    assertThat(health.snapshot(Probe.READINESS).check("db")).isEmpty();
  }

  @Test
  void duplicateNameIsRejectedAndTheFirstCheckStays() {
    HealthRegistry health = fixture.health();
    health.register("db", () -> CheckResult.up("first"), CheckOptions.of(Probe.READINESS));

    assertThatThrownBy(() -> health.register("db", () -> CheckResult.down("second"), CheckOptions.of(Probe.LIVENESS)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'db'")
        .hasMessageContaining("not yet registered");

    awaitStatus(health, "db", Status.UP);
    assertThat(health.check("db").orElseThrow().probes()).containsExactly(Probe.READINESS);
    assertThat(health.snapshot(Probe.LIVENESS).checks()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", " ", "-db", ".db", "_db", "db check", "db/primary", "db?x", "db%20", "dé", "db\n",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      })
  void invalidNameIsRejected(String name) {
    HealthRegistry health = fixture.health();

    assertThatThrownBy(() -> health.register(name, () -> CheckResult.up(), CheckOptions.of(Probe.READINESS)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("name: ");
    assertThat(health.checkNames()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a", "0", "db", "DB-1", "db.primary", "db_primary", "k8s-api.v1_2",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      })
  void validNameIsAcceptedAndServedAtItsPath(String name) {
    HealthRegistry health = fixture.health();

    health.register(name, () -> CheckResult.up(), CheckOptions.of(Probe.READINESS));

    awaitStatus(health, name, Status.UP);
    assertThat(ProbeEndpoints.of(health).handle("GET", "/readyz/" + name, null, null).status()).isEqualTo(200);
  }

  @Test
  void nullArgumentsAreRejected() {
    HealthRegistry health = fixture.health();
    HealthCheck check = () -> CheckResult.up();
    CheckOptions options = CheckOptions.of(Probe.READINESS);

    assertThatThrownBy(() -> health.register(null, check, options)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> health.register("a", null, options)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> health.register("a", check, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void registeringOnAClosedHealthIsRejected() {
    HealthRegistry health = fixture.health();
    health.close();

    assertThatThrownBy(() -> health.register("db", () -> CheckResult.up(), CheckOptions.of(Probe.READINESS)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void manyChecksRegisteredAndUnregisteredLeaveNoTrace() {
    HealthRegistry health = fixture.health();
    AtomicInteger runs = new AtomicInteger();
    for (int i = 0; i < 50; i++) {
      health.register("c" + i, () -> {
        runs.incrementAndGet();
        return CheckResult.up();
      }, CheckOptions.of(Probe.READINESS));
    }
    waiting().until(() -> runs.get() >= 50);
    for (int i = 0; i < 50; i++) {
      assertThat(health.unregister("c" + i)).isTrue();
    }

    assertThat(health.checkNames()).isEmpty();
    assertThat(health.snapshot(Probe.READINESS).checks()).isEmpty();
    assertThat(health.snapshot(Probe.READINESS).status()).isEqualTo(Status.UP);
    assertThat(health.overall().checks()).isEmpty();
  }
}
