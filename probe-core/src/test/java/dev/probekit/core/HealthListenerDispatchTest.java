package dev.probekit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Listeners run after the registry's lock is released, in order, and can be removed. */
class HealthListenerDispatchTest {
  private final HealthRegistry health = HealthRegistry.builder().build();

  @AfterEach
  void close() {
    health.close();
  }

  @Test
  void aSlowListenerDelaysNoStatusChangeAndStillHearsEveryChangeInOrder() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> heard = new CopyOnWriteArrayList<>();
    health.addProbeListener(
        (previous, current) -> {
          heard.add(current.name() + " " + current.status());
          if (heard.size() == 1) {
            entered.countDown();
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });

    // The first change's listener blocks its thread...
    CompletableFuture<Void> blocked =
        CompletableFuture.runAsync(() -> health.readiness().down("maintenance"));
    assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

    // ...and yet other changes go through at once, and probes read them.
    long start = System.nanoTime();
    health.readiness().clear();
    health.liveness().down("wedged");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(health.snapshot(Probe.READINESS).isUp()).isTrue();
    assertThat(health.snapshot(Probe.LIVENESS).isUp()).isFalse();
    assertThat(heard).hasSize(1);

    release.countDown();
    blocked.get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 3);
    assertThat(heard).containsExactly("readiness DOWN", "readiness UP", "liveness DOWN");
  }

  @Test
  void aClosedRegistrationIsNoLongerCalled() {
    AtomicInteger health1 = new AtomicInteger();
    AtomicInteger probe1 = new AtomicInteger();
    ListenerRegistration a = health.addListener((name, previous, current) -> health1.incrementAndGet());
    ListenerRegistration b = health.addProbeListener((previous, current) -> probe1.incrementAndGet());

    health.readiness().down("x");
    assertThat(probe1).hasValue(1);
    a.close();
    b.close();
    b.close();
    health.readiness().clear();
    health.register("c", CheckResult::up, CheckOptions.of(Probe.READINESS));

    assertThat(probe1).hasValue(1);
    assertThat(health1).hasValue(0);
  }

  @Test
  void aListenerThatChangesHealthIsToldOfItsOwnChangeAfterTheCurrentOne() {
    List<String> heard = new CopyOnWriteArrayList<>();
    health.addProbeListener(
        (previous, current) -> {
          heard.add(current.name() + " " + current.status());
          if (current.name().equals("readiness") && !current.isUp()) {
            health.liveness().down("follows readiness");
          }
        });
    health.addProbeListener((previous, current) -> heard.add("second " + current.name()));

    health.readiness().down("x");

    assertThat(heard)
        .containsExactly("readiness DOWN", "second readiness", "liveness DOWN", "second liveness");
  }

  @Test
  void aVmErrorFromOneListenerReachesTheCallerAfterTheOtherListenersHeardTheChange() {
    List<String> heard = new CopyOnWriteArrayList<>();
    health.addProbeListener(
        (previous, current) -> {
          throw new OutOfMemoryError("injected in a probe listener");
        });
    health.addProbeListener((previous, current) -> heard.add(current.name() + " " + current.status()));

    // The caller that delivered the event gets the error (a drain counts it as a fault)...
    assertThatThrownBy(() -> health.readiness().down("maintenance"))
        .isInstanceOf(OutOfMemoryError.class)
        .hasMessage("injected in a probe listener");
    // ...and the listener after the failing one was not skipped, nor left waiting for the next
    // change: it heard this one already.
    assertThat(heard).containsExactly("readiness DOWN");
    assertThat(health.snapshot(Probe.READINESS).isUp()).isFalse();

    // Delivery goes on with the next change.
    assertThatThrownBy(() -> health.readiness().clear()).isInstanceOf(OutOfMemoryError.class);
    assertThat(heard).containsExactly("readiness DOWN", "readiness UP");
  }
}
