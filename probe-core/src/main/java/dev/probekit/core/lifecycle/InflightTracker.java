package dev.probekit.core.lifecycle;

import dev.probekit.core.internal.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts application requests in flight, so a drain knows when the last one has finished.
 *
 * <p>Adapters call {@link #enter()} when a request starts and {@link #exit()} exactly once when
 * its response is complete (or its connection closed). Probe requests are not counted. {@code
 * enter()} is one atomic increment, {@code exit()} two reads and one compare-and-set.
 *
 * <p>A stray {@code exit()} (one more than there were {@code enter()}s: an adapter that counts a
 * response twice) is ignored, logged once at WARN with the caller's stack and counted in {@link
 * #strayExits()}: the count never goes below zero, so the stray can never make a later request
 * invisible to {@link #awaitZero(Duration)}. A stray that comes while other requests are in flight
 * cannot be told from their own exits; it is caught when the last of them exits.
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
  private static final Logger log = LoggerFactory.getLogger(InflightTracker.class);

  /** Requests started; only grows. */
  private final AtomicLong entered = new AtomicLong();
  /** Requests finished; never above {@link #entered} (exit checks before it counts). */
  private final AtomicLong exited = new AtomicLong();
  private final AtomicLong strays = new AtomicLong();
  private final Ticker ticker;

  private InflightTracker(Ticker ticker) {
    this.ticker = ticker;
  }

  /**
   * A tracker on the system ticker.
   *
   * @return a new tracker at zero
   */
  public static InflightTracker create() {
    return new InflightTracker(Ticker.system());
  }

  /**
   * A tracker whose {@link #awaitZero(Duration)} measures time with {@code ticker}; package-private,
   * for the lifecycle's injected ticker.
   *
   * @param ticker the ticker
   * @return a new tracker at zero
   */
  static InflightTracker create(Ticker ticker) {
    return new InflightTracker(Objects.requireNonNull(ticker, "ticker"));
  }

  /** Counts a request as started. */
  public void enter() {
    entered.incrementAndGet();
  }

  /**
   * Counts a request as finished; call once per {@link #enter()}. An exit with no request in
   * flight is a stray: ignored, counted in {@link #strayExits()}, the first one logged at WARN.
   */
  public void exit() {
    long done;
    do {
      done = exited.get();
      // entered only grows, so done < entered here keeps exited <= entered after the CAS.
      if (done >= entered.get()) {
        stray();
        return;
      }
    } while (!exited.compareAndSet(done, done + 1));
  }

  /**
   * An executor that counts each task in flight from the moment it is handed over until it
   * returns, queue time included, and runs it on {@code workers}: for servers that hand every
   * request to an {@link Executor}, such as the JDK's {@code HttpServer.setExecutor}, so that the
   * drain also waits for requests still queued behind busy workers. A task {@code workers} refuses
   * is counted out again before the refusal is rethrown.
   *
   * <pre>{@code
   * server.setExecutor(lifecycle.inflight().counting(workers));
   * }</pre>
   *
   * @param workers the executor that runs the tasks
   * @return the counting executor
   */
  public Executor counting(Executor workers) {
    Objects.requireNonNull(workers, "workers");
    return task -> {
      enter();
      try {
        workers.execute(
            () -> {
              try {
                task.run();
              } finally {
                exit();
              }
            });
      } catch (Throwable refused) {
        exit();
        throw refused;
      }
    };
  }

  private void stray() {
    if (strays.getAndIncrement() == 0) {
      log.warn(
          "InflightTracker.exit() called with no request in flight (a request counted out twice?):"
              + " ignored; later stray exits are only counted (probekit.inflight.stray.exits)",
          new IllegalStateException("stray exit() called here"));
    }
  }

  /**
   * Requests started and not yet finished (a moment's estimate while requests come and go).
   *
   * @return the requests in flight, never negative
   */
  public long current() {
    // Read exits first: exited never passes entered, so the difference is never negative.
    long done = exited.get();
    return entered.get() - done;
  }

  /**
   * Requests started since creation.
   *
   * @return the count
   */
  public long started() {
    return entered.get();
  }

  /**
   * Requests finished since creation (stray exits not counted).
   *
   * @return the count
   */
  public long finished() {
    return exited.get();
  }

  /**
   * Calls of {@link #exit()} that came with no request in flight, and were ignored.
   *
   * @return the count
   */
  public long strayExits() {
    return strays.get();
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
    return "InflightTracker{current="
        + current()
        + ", started="
        + started()
        + (strayExits() == 0 ? "" : ", strayExits=" + strayExits())
        + '}';
  }
}
