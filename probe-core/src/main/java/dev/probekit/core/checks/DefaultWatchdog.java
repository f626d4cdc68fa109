package dev.probekit.core.checks;

import dev.probekit.core.CheckResult;
import dev.probekit.core.internal.Durations;
import dev.probekit.core.internal.Ticker;
import java.time.Duration;

/** The default {@link Watchdog}: compares the last tick's ticker reading with now. */
final class DefaultWatchdog implements Watchdog {
  private final String name;
  private final Duration maxSilence;
  private final Ticker ticker;
  private volatile long lastTick;

  DefaultWatchdog(String name, Duration maxSilence, Ticker ticker) {
    this.name = name;
    this.maxSilence = maxSilence;
    this.ticker = ticker;
    // A fresh watchdog has a full period of grace, like a loop that has just started.
    this.lastTick = ticker.read();
  }

  @Override
  public void tick() {
    lastTick = ticker.read();
  }

  @Override
  public Duration silence() {
    return Duration.ofNanos(Math.max(0, ticker.read() - lastTick));
  }

  @Override
  public Duration maxSilence() {
    return maxSilence;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CheckResult check() {
    Duration silence = silence();
    CheckResult result =
        silence.compareTo(maxSilence) <= 0
            ? CheckResult.up()
            : CheckResult.down(
                "watchdog '"
                    + name
                    + "' has not ticked for "
                    + Durations.format(silence)
                    + " (max "
                    + Durations.format(maxSilence)
                    + ")");
    return result
        .withDetail("silenceMs", silence.toMillis())
        .withDetail("maxSilenceMs", maxSilence.toMillis());
  }

  @Override
  public String toString() {
    return "Watchdog{" + name + ", maxSilence=" + Durations.format(maxSilence) + '}';
  }
}
