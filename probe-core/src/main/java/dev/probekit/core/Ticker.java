package dev.probekit.core;

/**
 * A source of nanosecond time for measuring durations, injectable so tests can control time.
 *
 * <p>Only differences between two readings mean anything, as with {@link System#nanoTime()}.
 */
@FunctionalInterface
public interface Ticker {

  /** The current reading, in nanoseconds. */
  long read();

  /** The ticker backed by {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }
}
