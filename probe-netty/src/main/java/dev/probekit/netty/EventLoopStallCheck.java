package dev.probekit.netty;

import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.internal.Arguments;
import dev.probekit.core.internal.Durations;
import dev.probekit.core.internal.Ticker;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A liveness check that every event loop makes progress: each run submits a tiny task to each
 * loop, and a loop that has not run it within the threshold is DOWN, naming the loop and how long
 * it has been blocked.
 *
 * <pre>{@code
 * health.register("event-loops",
 *     EventLoopStallCheck.builder()
 *         .group("worker", workerGroup)
 *         .threshold(Duration.ofSeconds(1))
 *         .build(),
 *     CheckOptions.builder(Probe.LIVENESS)
 *         .interval(Duration.ofSeconds(5))
 *         .timeout(Duration.ofSeconds(3))
 *         .failureThreshold(2)
 *         .build());
 * }</pre>
 *
 * <p>A run waits at most the threshold for the loops' tasks, so register it with a check timeout
 * longer than the threshold. A loop whose task from an earlier run still has not run is not given
 * another one (a blocked loop never piles up tasks) and is reported with the age of that task. The
 * result's details hold {@code loops} (how many are watched) and, when DOWN, {@code stalled} and
 * {@code maxBlockedMs}. Loops shutting down are skipped: they are stopping, not stuck.
 *
 * <p>A blocked event loop serves nothing on any of its connections, probes included; this check
 * runs on Probekit's own threads and keeps reporting it.
 *
 * <p>Thread-safe; runs are serialized.
 */
public final class EventLoopStallCheck implements HealthCheck {

  /** Default threshold: 1 s. */
  public static final Duration DEFAULT_THRESHOLD = Duration.ofSeconds(1);

  private static final long NOT_PENDING = Long.MIN_VALUE;

  private final List<Loop> loops;
  private final long thresholdNanos;
  private final Duration threshold;
  private final Ticker ticker;

  private EventLoopStallCheck(Builder b) {
    this.loops = List.copyOf(b.loops);
    this.threshold = b.threshold;
    this.thresholdNanos = b.threshold.toNanos();
    this.ticker = b.ticker;
  }

  /** {@return a builder; add at least one group} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A check of every loop of {@code group}, with the default threshold.
   *
   * @param name names the group's loops in messages, as {@code name#0}, {@code name#1}, ...
   * @param group the event loop group
   * @return the check
   */
  public static EventLoopStallCheck of(String name, EventExecutorGroup group) {
    return builder().group(name, group).build();
  }

  /**
   * Submits a task to every loop that has none pending, waits at most the threshold for them, and
   * reports each loop whose task has waited longer than the threshold.
   *
   * @throws InterruptedException if interrupted while waiting (the check's timeout)
   */
  @Override
  public synchronized CheckResult check() throws InterruptedException {
    long now = ticker.read();
    List<Loop> fresh = new ArrayList<>(loops.size());
    for (Loop loop : loops) {
      if (loop.pendingSince == NOT_PENDING && !loop.executor.isShuttingDown()) {
        fresh.add(loop);
      }
    }
    CountDownLatch ran = new CountDownLatch(fresh.size());
    for (Loop loop : fresh) {
      loop.pendingSince = now;
      try {
        loop.executor.execute(() -> loop.ran(ran));
      } catch (RejectedExecutionException e) {
        // Shut down between the check above and here: stopping, not stuck.
        loop.pendingSince = NOT_PENDING;
        ran.countDown();
      }
    }
    if (!fresh.isEmpty()) {
      long waitNanos = thresholdNanos - (ticker.read() - now);
      if (waitNanos > 0) {
        ran.await(waitNanos, TimeUnit.NANOSECONDS);
      }
    }

    long at = ticker.read();
    int stalled = 0;
    long maxBlocked = 0;
    StringBuilder message = null;
    for (Loop loop : loops) {
      long since = loop.pendingSince;
      if (since == NOT_PENDING || loop.executor.isShuttingDown()) {
        continue;
      }
      long blocked = at - since;
      if (blocked < thresholdNanos) {
        continue;
      }
      stalled++;
      maxBlocked = Math.max(maxBlocked, blocked);
      message = message == null ? new StringBuilder() : message.append("; ");
      message.append("event loop ").append(loop.describe()).append(" blocked for ")
          .append(Durations.format(Duration.ofMillis(blocked / 1_000_000)));
    }
    if (stalled == 0) {
      return CheckResult.up().withDetail("loops", loops.size());
    }
    message.append(" (threshold ").append(Durations.format(threshold)).append(')');
    return CheckResult.down(message.toString())
        .withDetail("loops", loops.size())
        .withDetail("stalled", stalled)
        .withDetail("maxBlockedMs", maxBlocked / 1_000_000);
  }

  @Override
  public String toString() {
    return "EventLoopStallCheck{loops=" + loops.size() + ", threshold="
        + Durations.format(threshold) + '}';
  }

  /** One watched event loop and its pending task, if any. */
  private static final class Loop {
    final String name;
    final EventExecutor executor;
    /** When the pending task was submitted (ticker time), or {@link #NOT_PENDING}. */
    volatile long pendingSince = NOT_PENDING;
    /** The loop's thread name, learnt when a task runs; its threads are otherwise not exposed. */
    volatile String threadName;

    Loop(String name, EventExecutor executor) {
      this.name = name;
      this.executor = executor;
    }

    void ran(CountDownLatch latch) {
      threadName = Thread.currentThread().getName();
      pendingSince = NOT_PENDING;
      latch.countDown();
    }

    String describe() {
      String thread = threadName;
      return thread == null ? name : name + " (thread " + thread + ")";
    }
  }

  /** Builds an {@link EventLoopStallCheck}. */
  public static final class Builder {
    private final List<Loop> loops = new ArrayList<>();
    private Duration threshold = DEFAULT_THRESHOLD;
    private Ticker ticker = Ticker.system();

    Builder() {}

    /**
     * Watches every loop of {@code group} (an event loop group or any executor group); repeatable.
     *
     * @param name names the loops in messages, as {@code name#0}, {@code name#1}, ...
     * @param group the group; its loops are taken now
     * @return this builder
     */
    public Builder group(String name, EventExecutorGroup group) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(group, "group");
      int i = 0;
      for (EventExecutor executor : group) {
        loops.add(new Loop(name + "#" + i++, executor));
      }
      return this;
    }

    /**
     * How long a loop may take to run a task before it counts as stalled; default {@link
     * #DEFAULT_THRESHOLD}. Keep it below the check's timeout.
     *
     * @param threshold the threshold
     * @return this builder
     */
    public Builder threshold(Duration threshold) {
      Arguments.positive("threshold", threshold);
      this.threshold = threshold;
      return this;
    }

    /**
     * The ticker that measures how long tasks wait; default {@link Ticker#system()}. A test hook,
     * so package-private.
     *
     * @param ticker the ticker
     * @return this builder
     */
    Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Builds the check.
     *
     * @return the check
     * @throws IllegalStateException if no group was added
     */
    public EventLoopStallCheck build() {
      if (loops.isEmpty()) {
        throw new IllegalStateException(
            "no event loop to watch (expected: group(...) at least once)");
      }
      return new EventLoopStallCheck(this);
    }
  }
}
