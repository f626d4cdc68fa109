package dev.probekit.core.internal;

/**
 * A source of nanosecond time for measuring durations, injectable so tests can control time.
 *
 * <p>Only differences between two readings mean anything, as with {@link System#nanoTime()}.
 */
@FunctionalInterface
public interface Ticker {

  /** {@return the current reading, in nanoseconds} */
  long read();

  /** {@return the ticker backed by {@link System#nanoTime()}} */
  static Ticker system() {
    return System::nanoTime;
  }
}
