package dev.probekit.core.internal;

import java.time.Duration;

/**
 * Exponential backoff with jitter: the n-th retry waits {@code min(max, initial * multiplier^(n-1))}
 * shortened by a random fraction of up to {@code jitter}, so that pods restarted together do not
 * knock on a recovering dependency in lockstep, and the cap is never exceeded.
 */
public final class Backoff {
  private final long initialNanos;
  private final long maxNanos;
  private final double multiplier;
  private final double jitter;

  /**
   * @param initial the first delay, &gt; 0
   * @param max the cap, &gt;= initial
   * @param multiplier growth per failure, &gt;= 1
   * @param jitter the largest fraction taken off a delay, 0 to 1
   */
  public Backoff(Duration initial, Duration max, double multiplier, double jitter) {
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.multiplier = multiplier;
    this.jitter = jitter;
  }

  /**
   * The delay before the next attempt.
   *
   * @param failures consecutive failures so far, &gt;= 1
   * @param random a uniform random number in [0, 1)
   */
  public Duration delay(int failures, double random) {
    double base = initialNanos;
    for (int i = 1; i < failures && base < maxNanos; i++) {
      base *= multiplier;
    }
    base = Math.min(base, maxNanos);
    double r = Math.min(Math.max(random, 0), 1);
    return Duration.ofNanos((long) (base * (1 - jitter * r)));
  }
}
