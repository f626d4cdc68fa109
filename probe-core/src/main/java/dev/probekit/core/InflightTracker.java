package dev.probekit.core;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts application requests in flight, so a drain knows when the last one has finished.
 *
 * <p>Adapters call {@link #enter()} when a request starts and {@link #exit()} exactly once when
 * its response is complete (or its connection closed). Probe requests are not counted. Both are a
 * striped-counter increment: cheap uncontended and scaling with cores.
 *
 * <pre>{@code
 * tracker.enter();
 * try {
 *   handle(request);
 * } finally {
 *   tracker.exit();
 * }
 * }</pre>
 */
public final class InflightTracker {
  private final LongAdder entered = new LongAdder();
  private final LongAdder exited = new LongAdder();
  private final Ticker ticker;

  private InflightTracker(Ticker ticker) {
    this.ticker = ticker;
  }

  /** A tracker on the system ticker. */
  public static InflightTracker create() {
    return new InflightTracker(Ticker.system());
  }

  /**
   * A tracker whose {@link #awaitZero(Duration)} measures time with {@code ticker}.
   *
   * @param ticker the ticker
   */
  public static InflightTracker create(Ticker ticker) {
    return new InflightTracker(java.util.Objects.requireNonNull(ticker, "ticker"));
  }

  /** Counts a request as started. */
  public void enter() {
    entered.increment();
  }

  /** Counts a request as finished; call once per {@link #enter()}. */
  public void exit() {
    exited.increment();
  }

  /** Requests started and not yet finished (a moment's estimate while requests come and go). */
  public long current() {
    // Read exits first: a request counted in both cannot then appear as a negative in-flight.
    long done = exited.sum();
    return Math.max(0, entered.sum() - done);
  }

  /** Requests started since creation. */
  public long started() {
    return entered.sum();
  }

  /** Requests finished since creation. */
  public long finished() {
    return exited.sum();
  }

  /**
   * Waits until no request is in flight, or {@code timeout} has passed.
   *
   * @param timeout the longest wait
   * @return whether the count reached zero in time
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitZero(Duration timeout) throws InterruptedException {
    long deadline = ticker.read() + timeout.toNanos();
    long pause = 1_000_000L; // 1 ms, doubling to 10 ms: quick for short drains, cheap for long
    while (current() > 0) {
      long left = deadline - ticker.read();
      if (left <= 0) {
        return false;
      }
      LockSupport.parkNanos(Math.min(pause, left));
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while awaiting in-flight requests");
      }
      pause = Math.min(pause * 2, 10_000_000L);
    }
    return true;
  }

  @Override
  public String toString() {
    return "InflightTracker{current=" + current() + ", started=" + started() + '}';
  }
}
