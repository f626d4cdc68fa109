package dev.probekit.core.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.Status;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WatchdogTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final Watchdog watchdog = Checks.watchdog("consumer", Duration.ofSeconds(5), now::get);

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void isUpWhileTheSilenceStaysWithinTheMaximum() {
    assertThat(watchdog.check().isUp()).as("creation counts as a tick").isTrue();
    advance(Duration.ofSeconds(5));
    CheckResult result = watchdog.check();
    assertThat(result.isUp()).isTrue();
    assertThat(result.details()).containsEntry("silenceMs", 5000L).containsEntry("maxSilenceMs", 5000L);
    assertThat(watchdog.isRemote()).isFalse();
  }

  @Test
  void tripsAfterTheMaximumSilenceAndRecoversOnTheNextTick() {
    advance(Duration.ofMillis(5001));
    CheckResult tripped = watchdog.check();
    assertThat(tripped.status()).isEqualTo(Status.DOWN);
    assertThat(tripped.message())
        .hasValue("watchdog 'consumer' has not ticked for 5001ms (max 5s)");
    assertThat(tripped.details()).containsEntry("silenceMs", 5001L);
    assertThat(watchdog.silence()).isEqualTo(Duration.ofMillis(5001));

    watchdog.tick();
    CheckResult recovered = watchdog.check();
    assertThat(recovered.isUp()).isTrue();
    assertThat(recovered.details()).containsEntry("silenceMs", 0L);

    advance(Duration.ofSeconds(4));
    watchdog.tick();
    advance(Duration.ofSeconds(4));
    assertThat(watchdog.check().isUp()).as("each tick restarts the count").isTrue();
  }

  @Test
  void tripsAndRecoversThroughHealth() {
    try (HealthRegistry health = HealthRegistry.builder().defaultInterval(Duration.ofMillis(20)).build()) {
      health.register("consumer", watchdog, CheckOptions.of(Probe.LIVENESS));
      await().atMost(Duration.ofSeconds(5)).until(() -> status(health) == Status.UP);

      advance(Duration.ofSeconds(6));
      await().atMost(Duration.ofSeconds(5)).until(() -> status(health) == Status.DOWN);
      assertThat(health.snapshot(Probe.LIVENESS).isUp()).isFalse();

      watchdog.tick();
      await().atMost(Duration.ofSeconds(5)).until(() -> status(health) == Status.UP);
      assertThat(health.snapshot(Probe.LIVENESS).isUp()).isTrue();
    }
  }

  private static Status status(HealthRegistry health) {
    return health.check("consumer").orElseThrow().status();
  }

  @Test
  void rejectsANonPositiveMaximumSilence() {
    assertThatThrownBy(() -> Checks.watchdog("x", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSilence: PT0S (expected: > 0)");
    assertThatThrownBy(() -> Checks.watchdog("x", Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
