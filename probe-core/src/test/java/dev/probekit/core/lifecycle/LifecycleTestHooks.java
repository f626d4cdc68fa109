package dev.probekit.core.lifecycle;

import dev.probekit.core.internal.Ticker;

/**
 * Opens {@link Lifecycle.Builder}'s package-private test hooks to probe-core's tests in other
 * packages (the metrics tests time the drain phases). Lives in the test sources only, so the hooks
 * stay out of the public API.
 */
public final class LifecycleTestHooks {
  private LifecycleTestHooks() {}

  /**
   * {@code builder.ticker(ticker)}.
   *
   * @param builder the builder
   * @param ticker the time source
   * @return {@code builder}
   */
  public static Lifecycle.Builder ticker(Lifecycle.Builder builder, Ticker ticker) {
    return builder.ticker(ticker);
  }
}
