package dev.probekit.core.lifecycle;

import static dev.probekit.core.internal.Arguments.positive;

import dev.probekit.core.internal.Durations;
import dev.probekit.core.internal.Failures;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A queue consumer loop that joins the drain: on a thread of its own it polls a batch, processes
 * it and commits it, again and again; at stop-accepting it polls no more, and the batch under way
 * is processed and committed before the loop ends.
 *
 * <pre>{@code
 * PollingConsumer<Job> worker =
 *     lifecycle.addDrainParticipant(
 *         PollingConsumer.<Job>builder("jobs", () -> jobs.claim(5), batch -> batch.forEach(Job::run))
 *             .commit(jobs::markDone)
 *             .build());
 * worker.start();
 * }</pre>
 *
 * <p>A poll that throws is logged at WARN and retried after {@linkplain
 * Builder#failureBackoff(Duration) a back-off}. A batch whose processing or commit throws (any
 * {@link Throwable}) is logged at WARN and not committed: the source redelivers it, as an
 * at-least-once queue does; the loop goes on. An empty poll waits {@linkplain
 * Builder#idleWait(Duration) the idle wait} before the next, cut short by stop-accepting.
 *
 * <p>Thread-safe. {@link #inFlight()} is the size of the batch under way.
 *
 * @param <T> the type of the items
 */
public final class PollingConsumer<T> implements DrainParticipant, Counted, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PollingConsumer.class);

  /** Default wait after an empty poll: 200 ms. */
  public static final Duration DEFAULT_IDLE_WAIT = Duration.ofMillis(200);

  /** Default wait after a poll or a batch failed: 1 s. */
  public static final Duration DEFAULT_FAILURE_BACKOFF = Duration.ofSeconds(1);

  /**
   * Fetches the next batch.
   *
   * @param <T> the type of the items
   */
  @FunctionalInterface
  public interface Poll<T> {
    /**
     * The next batch, claimed for this consumer; empty (or null) when there is none.
     *
     * @return the batch; empty or null when there is none
     * @throws Exception if the source fails; retried after the back-off
     */
    List<T> poll() throws Exception;
  }

  /**
   * Processes or commits a batch.
   *
   * @param <T> the type of the items
   */
  @FunctionalInterface
  public interface BatchHandler<T> {
    /**
     * Handles the batch.
     *
     * @param batch the batch
     * @throws Exception if it fails: the batch is not committed
     */
    void handle(List<T> batch) throws Exception;
  }

  private final String name;
  private final Poll<T> poll;
  private final BatchHandler<T> process;
  private final BatchHandler<T> commit;
  private final Duration idleWait;
  private final Duration failureBackoff;
  private final AtomicBoolean started = new AtomicBoolean();
  private final CountDownLatch ended = new CountDownLatch(1);
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong failedBatches = new AtomicLong();
  private volatile boolean stopping;
  private volatile long current;
  /** Failures in a row; only the first of a run is logged with its stack trace. */
  private int failuresInARow;
  private volatile Thread loop;

  private PollingConsumer(Builder<T> b) {
    this.name = b.name;
    this.poll = b.poll;
    this.process = b.process;
    this.commit = b.commit;
    this.idleWait = b.idleWait;
    this.failureBackoff = b.failureBackoff;
  }

  /**
   * A builder.
   *
   * @param name for the thread, logs, the summary and metrics
   * @param poll fetches (and claims) the next batch
   * @param process processes a batch
   * @param <T> the type of the items
   * @return a new builder
   */
  public static <T> Builder<T> builder(String name, Poll<T> poll, BatchHandler<T> process) {
    return new Builder<>(name, poll, process);
  }

  /**
   * Starts the loop on a new daemon thread named {@code probekit-consumer-<name>}.
   *
   * @throws IllegalStateException if already started
   */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("consumer '" + name + "' already started");
    }
    Thread t = new Thread(this::run, "probekit-consumer-" + name);
    t.setDaemon(true);
    loop = t;
    t.start();
  }

  private void run() {
    try {
      while (!stopping) {
        List<T> batch;
        try {
          batch = poll.poll();
        } catch (Throwable t) {
          safeWarn("poll failed: " + Failures.describeBriefly(t) + "; retrying in " + Durations.format(failureBackoff), t);
          pause(failureBackoff);
          continue;
        }
        failuresInARow = 0;
        if (batch == null || batch.isEmpty()) {
          pause(idleWait);
          continue;
        }
        List<T> claimed = List.copyOf(batch);
        current = claimed.size();
        try {
          // Not interruptible by the drain: the batch was claimed, so it is finished and committed.
          process.handle(claimed);
          commit.handle(claimed);
          committed.addAndGet(claimed.size());
          failuresInARow = 0;
        } catch (Throwable t) {
          failedBatches.incrementAndGet();
          safeWarn(
              "batch of " + claimed.size() + " failed, not committed (the source redelivers it): " + Failures.describeBriefly(t),
              t);
          pause(failureBackoff);
        } finally {
          current = 0;
        }
      }
    } finally {
      ended.countDown();
    }
  }

  /** Parks for {@code d}, or until stop-accepting unparks the loop. */
  private void pause(Duration d) {
    long until = System.nanoTime() + d.toNanos();
    long left;
    while (!stopping && (left = until - System.nanoTime()) > 0) {
      LockSupport.parkNanos(this, left);
    }
  }

  private void safeWarn(String message, Throwable t) {
    try {
      // An outage fails every poll: one stack trace per run of failures, then one line each.
      if (failuresInARow++ == 0) {
        log.warn("consumer '{}': {}", name, message, Failures.loggable(t));
      } else {
        log.warn("consumer '{}': {} ({} failures in a row)", name, message, failuresInARow);
      }
    } catch (Throwable ignored) {
      // A broken logger must not end the loop.
    }
  }

  @Override
  public String name() {
    return name;
  }

  /** Polls no more; the batch under way is processed and committed, then the loop ends. */
  @Override
  public void stopAccepting() {
    stopping = true;
    Thread t = loop;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  /** Items of the batch under way; 0 between batches. */
  @Override
  public long inFlight() {
    return current;
  }

  /** Waits for the loop to end; true at once if it never started. */
  @Override
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    if (!started.get()) {
      return true;
    }
    return ended.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
  }

  /** Items committed since creation. */
  @Override
  public long finished() {
    return committed.get();
  }

  /** {@return items committed since creation} */
  public long committed() {
    return committed.get();
  }

  /** {@return batches whose processing or commit threw, and that were not committed} */
  public long failedBatches() {
    return failedBatches.get();
  }

  /** Stops polling and waits for the batch under way to be committed; for use outside a drain. */
  @Override
  public void close() throws InterruptedException {
    stopAccepting();
    if (started.get()) {
      ended.await();
    }
  }

  @Override
  public String toString() {
    return "PollingConsumer{" + name + ", inFlight=" + current + ", committed=" + committed.get() + (stopping ? ", stopping" : "") + '}';
  }

  /**
   * Builds a {@link PollingConsumer}.
   *
   * @param <T> the type of the items
   */
  public static final class Builder<T> {
    final String name;
    final Poll<T> poll;
    final BatchHandler<T> process;
    BatchHandler<T> commit = batch -> {};
    Duration idleWait = DEFAULT_IDLE_WAIT;
    Duration failureBackoff = DEFAULT_FAILURE_BACKOFF;

    Builder(String name, Poll<T> poll, BatchHandler<T> process) {
      this.name = Objects.requireNonNull(name, "name");
      this.poll = Objects.requireNonNull(poll, "poll");
      this.process = Objects.requireNonNull(process, "process");
    }

    /**
     * Commits a processed batch (marks it done, acknowledges it); default nothing.
     *
     * @param commit the commit step
     * @return this builder
     */
    public Builder<T> commit(BatchHandler<T> commit) {
      this.commit = Objects.requireNonNull(commit, "commit");
      return this;
    }

    /**
     * The wait after an empty poll; default {@link #DEFAULT_IDLE_WAIT}.
     *
     * @param idleWait the wait
     * @return this builder
     */
    public Builder<T> idleWait(Duration idleWait) {
      this.idleWait = positive("idleWait", idleWait);
      return this;
    }

    /**
     * The wait after a failed poll or batch; default {@link #DEFAULT_FAILURE_BACKOFF}.
     *
     * @param failureBackoff the wait
     * @return this builder
     */
    public Builder<T> failureBackoff(Duration failureBackoff) {
      this.failureBackoff = positive("failureBackoff", failureBackoff);
      return this;
    }

    /**
     * Builds the consumer; {@link PollingConsumer#start()} starts it.
     *
     * @return the consumer, not yet started
     */
    public PollingConsumer<T> build() {
      return new PollingConsumer<>(this);
    }
  }
}
