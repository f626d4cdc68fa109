package dev.probekit.core;

import static dev.probekit.core.HealthFixture.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.probekit.core.internal.Ticker;
import dev.probekit.core.testkit.JsonTree;
import dev.probekit.core.testkit.SwitchableCheck;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Snapshots are immutable, and the time and durations in them come from the injected sources. */
class SnapshotTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  @Test
  void oldSnapshotKeepsItsStateAfterChangesAndIsUnmodifiable() {
    HealthRegistry health = fixture.health();
    SwitchableCheck db = new SwitchableCheck(CheckResult.up());
    health.register("db", db, CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.UP);
    ProbeSnapshot before = health.snapshot(Probe.READINESS);

    db.set(CheckResult.down("gone"));
    awaitStatus(health, "db", Status.DOWN);
    health.register("late", () -> CheckResult.up(), CheckOptions.of(Probe.READINESS));

    assertThat(before.status()).isEqualTo(Status.UP);
    assertThat(before.checks()).extracting(CheckState::name).containsExactly("db");
    assertThat(before.check("db").orElseThrow().status()).isEqualTo(Status.UP);
    assertThat(health.snapshot(Probe.READINESS).checks()).extracting(CheckState::name).containsExactly("db", "late");
    assertThatThrownBy(() -> before.checks().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThat(before.name()).isEqualTo("readiness");
    assertThat(health.overall().name()).isEqualTo("health");
    assertThat(health.overall().probe()).isEmpty();
  }

  @Test
  void timesComeFromTheClockAndDurationsFromTheTicker() {
    Instant now = Instant.parse("2030-01-02T03:04:05Z");
    AtomicLong nanos = new AtomicLong();
    // Every reading advances 7 ms, so each run (two readings) takes exactly 7 ms.
    Ticker ticker = () -> nanos.addAndGet(7_000_000);
    HealthRegistry health = fixture.health(b -> b.clock(Clock.fixed(now, ZoneOffset.UTC)).ticker(ticker));
    health.register("db", () -> CheckResult.up(), CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.UP);

    CheckResult result = health.check("db").orElseThrow().lastResult().orElseThrow();
    assertThat(result.duration()).hasValue(Duration.ofMillis(7));
    assertThat(result.time()).hasValue(now);
    assertThat(health.snapshot(Probe.READINESS).time()).isEqualTo(now);
    Map<String, Object> json =
        JsonTree.parseObject(
            ProbeEndpoints.builder(health).detailsPolicy(DetailsPolicy.always()).build()
                .handle("GET", "/readyz", "format=json", null).bodyAsString());
    @SuppressWarnings("unchecked")
    Map<String, Object> db = ((List<Map<String, Object>>) json.get("checks")).get(0);
    assertThat(db).containsEntry("durationMs", 7L).containsEntry("time", "2030-01-02T03:04:05Z");
  }
}
