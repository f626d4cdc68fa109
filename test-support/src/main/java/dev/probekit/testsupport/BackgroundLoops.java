package dev.probekit.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Daemon threads that each repeat one round (a kubelet's probe, a client's request) with a pause
 * between rounds, until {@link #stop()}; {@link #close()} stops them too, for an {@code
 * AfterEach}.
 *
 * <p>The pause is a fixed period, not a wait for a condition: it paces the loop as a kubelet's
 * {@code periodSeconds} does. A round that throws ends its loop; catch what the round expects.
 */
public final class BackgroundLoops implements AutoCloseable {
  /** How long {@link #stop()} waits for each thread: longer than any one round's own timeout. */
  private static final long JOIN_MILLIS = 5_000;

  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stopped;

  /**
   * Starts a daemon thread named {@code name} that runs {@code round}, then pauses {@code pause},
   * until stopped.
   *
   * @param name the thread's name
   * @param pause the pause after each round
   * @param round one round of the loop
   * @throws IllegalStateException if the loops were already stopped
   */
  public synchronized void start(String name, Duration pause, Runnable round) {
    if (stopped) {
      throw new IllegalStateException("stopped");
    }
    long pauseNanos = pause.toNanos();
    Thread thread =
        new Thread(
            () -> {
              while (!stopped) {
                round.run();
                LockSupport.parkNanos(pauseNanos);
              }
            },
            name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  /**
   * Whether {@link #stop()} has been called.
   *
   * @return true once stopped
   */
  public boolean isStopped() {
    return stopped;
  }

  /**
   * Tells every loop to end after its current round, and waits up to 5 s for each. Idempotent.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public void stop() throws InterruptedException {
    stopped = true;
    List<Thread> started;
    synchronized (this) {
      started = List.copyOf(threads);
    }
    for (Thread thread : started) {
      thread.join(JOIN_MILLIS);
    }
  }

  /** {@link #stop()}. */
  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
