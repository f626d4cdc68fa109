package dev.probekit.core.checks;

import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import java.time.Duration;

/**
 * A heartbeat check: the application calls {@link #tick()} from a loop that must keep making
 * progress (an event loop, a consumer, a scheduler), and the check is DOWN once no tick has come
 * for longer than its maximum silence. Made by {@link Checks#watchdog(String, Duration)}.
 *
 * <pre>{@code
 * Watchdog consumer = Checks.watchdog("consumer", Duration.ofSeconds(30));
 * health.register("consumer", consumer, CheckOptions.of(Probe.LIVENESS));
 * while (running) {
 *   poll();
 *   consumer.tick();
 * }
 * }</pre>
 *
 * <p>Process-local: it belongs on liveness when a stuck loop can only be fixed by a restart. The
 * time of creation counts as the first tick. Thread-safe; {@link #tick()} is one volatile write.
 */
public interface Watchdog extends HealthCheck {

  /**
   * UP while the silence is at most {@link #maxSilence()}, else DOWN naming the silence; details
   * hold {@code silenceMs} and {@code maxSilenceMs}. Never throws.
   */
  @Override
  CheckResult check();

  /** Records that the watched loop made progress just now. */
  void tick();

  /** {@return the time since the last tick (or since creation, before the first)} */
  Duration silence();

  /** {@return the longest silence that is still UP} */
  Duration maxSilence();

  /** {@return the name used in messages} */
  String name();
}
