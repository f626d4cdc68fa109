package dev.probekit.core.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * An {@link ExecutorService} that is also a {@link DrainParticipant}: it counts the tasks submitted
 * through it, and at stop-accepting rejects new ones and shuts its delegate down so that running
 * and queued tasks finish. Made by {@link DrainParticipant#executor(String, ExecutorService)}.
 *
 * <p>Each task costs two {@link LongAdder} increments and one wrapper object (see the benchmarks
 * module's {@code DrainingExecutorBenchmark}). Tasks submitted to the delegate directly are not
 * counted, but the drain still waits for them, since it waits for the delegate to terminate.
 *
 * <p>Thread-safe.
 */
public final class DrainingExecutorService extends AbstractExecutorService
    implements DrainParticipant, Counted {
  private final String name;
  private final ExecutorService delegate;
  private final LongAdder submitted = new LongAdder();
  private final LongAdder finished = new LongAdder();
  private volatile boolean stopped;

  DrainingExecutorService(String name, ExecutorService delegate) {
    this.name = Objects.requireNonNull(name, "name");
    this.delegate = Objects.requireNonNull(delegate, "executor");
  }

  /**
   * Runs {@code command} on the delegate, counted until it returns or throws.
   *
   * @throws RejectedExecutionException once the drain has stopped accepting, or if the delegate
   *     rejects it
   */
  @Override
  public void execute(Runnable command) {
    Objects.requireNonNull(command, "command");
    if (stopped) {
      throw new RejectedExecutionException(name + ": draining, no new tasks");
    }
    submitted.increment();
    try {
      delegate.execute(
          () -> {
            try {
              command.run();
            } finally {
              finished.increment();
            }
          });
    } catch (RuntimeException | Error e) {
      // Never queued, so never in flight.
      submitted.decrement();
      throw e;
    }
  }

  @Override
  public String name() {
    return name;
  }

  /** Rejects new tasks and shuts the delegate down; running and queued tasks finish. */
  @Override
  public void stopAccepting() {
    stopped = true;
    delegate.shutdown();
  }

  /** Tasks submitted through this service, queued or running. */
  @Override
  public long inFlight() {
    // Finished first: it never passes submitted, so the difference is never negative.
    long done = finished.sum();
    return Math.max(0, submitted.sum() - done);
  }

  /** Waits for the delegate to terminate. */
  @Override
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return delegate.awaitTermination(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
  }

  @Override
  public long finished() {
    return finished.sum();
  }

  /**
   * {@return tasks submitted through this service since it was created (rejected ones not counted)}
   */
  public long submitted() {
    return submitted.sum();
  }

  /** The same as {@link #stopAccepting()}. */
  @Override
  public void shutdown() {
    stopAccepting();
  }

  /** Stops accepting, interrupts running tasks and drops queued ones (counted as finished). */
  @Override
  public List<Runnable> shutdownNow() {
    stopped = true;
    List<Runnable> dropped = delegate.shutdownNow();
    finished.add(dropped.size());
    return dropped;
  }

  @Override
  public boolean isShutdown() {
    return stopped || delegate.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return delegate.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return delegate.awaitTermination(timeout, unit);
  }

  @Override
  public String toString() {
    return "DrainingExecutorService{" + name + ", inFlight=" + inFlight() + (stopped ? ", stopped" : "") + '}';
  }
}
