package dev.probekit.core;

import static dev.probekit.core.HealthFixture.awaitStatus;
import static dev.probekit.core.HealthFixture.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.testkit.SwitchableCheck;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Listeners hear each transition once, and a failing listener breaks nothing. */
class ListenerTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  @Test
  void healthListenerHearsEachTransitionOnceWithPreviousAndCurrentState() {
    HealthRegistry health = fixture.health();
    List<String> heard = new CopyOnWriteArrayList<>();
    health.addListener(
        (name, previous, current) ->
            heard.add(
                name + " " + previous.status() + "->" + current.status() + " "
                    + current.lastResult().flatMap(CheckResult::message).orElse("-")));
    SwitchableCheck db = new SwitchableCheck(CheckResult.up("fine"));
    health.register("db", db, CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.UP);

    db.set(CheckResult.down("gone"));
    awaitStatus(health, "db", Status.DOWN);
    // Repeated DOWN results are not transitions: let several more runs happen.
    int runs = db.runs();
    waiting().until(() -> db.runs() >= runs + 5);
    db.set(CheckResult.up("back"));
    awaitStatus(health, "db", Status.UP);

    // Listeners are told after the registry's lock is released, so the last call may follow the
    // snapshot by a moment.
    waiting()
        .untilAsserted(
            () ->
                assertThat(heard)
                    .containsExactly("db UNKNOWN->UP fine", "db UP->DOWN gone", "db DOWN->UP back"));
  }

  @Test
  void probeListenerHearsProbeStatusChanges() {
    HealthRegistry health = fixture.health();
    List<String> heard = new CopyOnWriteArrayList<>();
    health.addProbeListener(
        (previous, current) -> heard.add(current.name() + " " + previous.status() + "->" + current.status()));
    SwitchableCheck db = new SwitchableCheck(CheckResult.up());

    // A new check is UNKNOWN: readiness goes DOWN at registration, UP after the first run.
    health.register("db", db, CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.UP);
    db.set(CheckResult.down("gone"));
    awaitStatus(health, "db", Status.DOWN);
    health.unregister("db");

    waiting()
        .untilAsserted(
            () ->
                assertThat(heard)
                    .containsExactly(
                        "readiness UP->DOWN", "readiness DOWN->UP", "readiness UP->DOWN", "readiness DOWN->UP"));
  }

  @Test
  void throwingListenersBreakNeitherEvaluationNorOtherListeners() {
    HealthRegistry health = fixture.health();
    AtomicInteger thrown = new AtomicInteger();
    health.addListener(
        (name, previous, current) -> {
          thrown.incrementAndGet();
          throw new IllegalStateException("listener bug");
        });
    health.addListener(
        (name, previous, current) -> {
          thrown.incrementAndGet();
          throw new AssertionError("listener assertion");
        });
    health.addProbeListener(
        (previous, current) -> {
          thrown.incrementAndGet();
          throw new IllegalStateException("probe listener bug");
        });
    List<String> heard = new CopyOnWriteArrayList<>();
    List<String> probes = new CopyOnWriteArrayList<>();
    health.addListener((name, previous, current) -> heard.add(name + " " + current.status()));
    health.addProbeListener((previous, current) -> probes.add(current.name() + " " + current.status()));
    SwitchableCheck db = new SwitchableCheck(CheckResult.up());

    health.register("db", db, CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.UP);
    db.set(CheckResult.down("gone"));
    awaitStatus(health, "db", Status.DOWN);
    db.set(CheckResult.up());
    awaitStatus(health, "db", Status.UP);

    // Listeners run after the registry's lock is released, so the last event can trail the status.
    waiting()
        .untilAsserted(
            () -> {
              assertThat(heard).containsExactly("db UP", "db DOWN", "db UP");
              assertThat(probes)
                  .containsExactly("readiness DOWN", "readiness UP", "readiness DOWN", "readiness UP");
              assertThat(thrown.get()).isEqualTo(3 * 2 + 4);
            });
    assertThat(health.snapshot(Probe.READINESS).status()).isEqualTo(Status.UP);
  }

  @Test
  void removedListenersHearNothingMore() {
    HealthRegistry health = fixture.health();
    List<String> heard = new CopyOnWriteArrayList<>();
    HealthListener listener = (name, previous, current) -> heard.add(name + " " + current.status());
    ProbeListener probeListener = (previous, current) -> heard.add(current.name() + " " + current.status());
    health.addListener(listener);
    health.addProbeListener(probeListener);
    SwitchableCheck db = new SwitchableCheck(CheckResult.up());
    health.register("db", db, CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.UP);

    health.removeListener(listener);
    health.removeProbeListener(probeListener);
    db.set(CheckResult.down("gone"));
    awaitStatus(health, "db", Status.DOWN);

    // The probe snapshot is rebuilt before check listeners run, so "readiness UP" comes first.
    assertThat(heard).containsExactly("readiness DOWN", "readiness UP", "db UP");
  }
}
