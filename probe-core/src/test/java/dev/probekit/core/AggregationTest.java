package dev.probekit.core;

import static dev.probekit.core.HealthFixture.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How check states make a probe's status: every required check UP; UNKNOWN is alive for liveness
 * but not ready for readiness or startup; optional checks never fail a probe.
 */
class AggregationTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  @ParameterizedTest(name = "{0}: {1} check, required={2} -> {3}")
  @CsvSource({
    "LIVENESS,  UP,      true,  UP",
    "LIVENESS,  DOWN,    true,  DOWN",
    "LIVENESS,  UNKNOWN, true,  UP",
    "READINESS, UP,      true,  UP",
    "READINESS, DOWN,    true,  DOWN",
    "READINESS, UNKNOWN, true,  DOWN",
    "STARTUP,   UP,      true,  UP",
    "STARTUP,   DOWN,    true,  DOWN",
    "STARTUP,   UNKNOWN, true,  DOWN",
    "LIVENESS,  DOWN,    false, UP",
    "READINESS, DOWN,    false, UP",
    "READINESS, UNKNOWN, false, UP",
    "STARTUP,   DOWN,    false, UP",
    "STARTUP,   UNKNOWN, false, UP",
  })
  void probeStatusFollowsItsChecks(Probe probe, Status check, boolean required, Status expected) {
    HealthRegistry health = fixture.health();
    health.register("ok", () -> CheckResult.up(), CheckOptions.of(probe));
    health.register("subject", checkIn(check), CheckOptions.builder(probe).required(required).timeout(Duration.ofSeconds(30)).build());
    awaitStatus(health, "ok", Status.UP);
    if (check != Status.UNKNOWN) {
      awaitStatus(health, "subject", check);
    }

    assertThat(health.check("subject").orElseThrow().status()).isEqualTo(check);
    assertThat(health.snapshot(probe).status()).isEqualTo(expected);
    ProbeResponse plain = ProbeEndpoints.of(health).handle("GET", "/" + probe.pathSegment(), null, null);
    assertThat(plain.status()).isEqualTo(expected == Status.UP ? 200 : 503);
    assertThat(health.overall().status()).isEqualTo(expected);
  }

  @Test
  void probeWithoutChecksIsUp() {
    HealthRegistry health = fixture.health();

    for (Probe probe : Probe.values()) {
      assertThat(health.snapshot(probe).status()).isEqualTo(Status.UP);
      assertThat(health.snapshot(probe).checks()).isEmpty();
    }
    assertThat(health.overall().status()).isEqualTo(Status.UP);
  }

  @Test
  void checkInSeveralProbesCountsInEachOfThem() {
    HealthRegistry health = fixture.health();
    health.register("shared", () -> CheckResult.down("no"), CheckOptions.of(Probe.READINESS, Probe.STARTUP));
    awaitStatus(health, "shared", Status.DOWN);

    assertThat(health.snapshot(Probe.READINESS).status()).isEqualTo(Status.DOWN);
    assertThat(health.snapshot(Probe.STARTUP).status()).isEqualTo(Status.DOWN);
    assertThat(health.snapshot(Probe.LIVENESS).status()).isEqualTo(Status.UP);
    assertThat(health.snapshot(Probe.LIVENESS).check("shared")).isEmpty();
    assertThat(health.overall().status()).isEqualTo(Status.DOWN);
    assertThat(health.overall().checks()).extracting(CheckState::name).containsExactly("shared");
  }

  @Test
  void optionalCheckIsReportedButNeverFailsItsProbe() {
    HealthRegistry health = fixture.health();
    health.register("cache", () -> CheckResult.down("cold"), CheckOptions.builder(Probe.READINESS).required(false).build());
    awaitStatus(health, "cache", Status.DOWN);

    ProbeSnapshot readiness = health.snapshot(Probe.READINESS);
    assertThat(readiness.status()).isEqualTo(Status.UP);
    assertThat(readiness.check("cache").orElseThrow().required()).isFalse();
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);
    assertThat(endpoints.handle("GET", "/readyz", "verbose", null).bodyAsString())
        .isEqualTo("[~]cache failed: reason withheld (optional)\nreadiness check passed\n");
    assertThat(endpoints.handle("GET", "/readyz", "format=json", null).bodyAsString())
        .contains("\"name\":\"cache\",\"status\":\"DOWN\",\"required\":false");
  }

  private HealthCheck checkIn(Status status) {
    switch (status) {
      case UP:
        return () -> CheckResult.up();
      case DOWN:
        return () -> CheckResult.down("down");
      default:
        CountDownLatch never = fixture.latch();
        return () -> {
          never.await();
          return CheckResult.up();
        };
    }
  }
}
