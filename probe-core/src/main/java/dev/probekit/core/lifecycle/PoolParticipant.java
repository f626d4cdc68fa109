package dev.probekit.core.lifecycle;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool drained without counting its submissions: counts come from a {@link ThreadPoolExecutor}
 * when it is one. A {@link ScheduledThreadPoolExecutor} gets no new run of a periodic task and
 * drops delayed tasks that have not started (counted as abandoned: work that was promised and will
 * not be done); the run under way finishes.
 */
final class PoolParticipant implements DrainParticipant, Counted {
  private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

  private final String name;
  private final ExecutorService pool;
  private volatile long dropped;

  PoolParticipant(String name, ExecutorService pool) {
    this.name = Objects.requireNonNull(name, "name");
    this.pool = Objects.requireNonNull(pool, "pool");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void stopAccepting() {
    if (pool instanceof ScheduledThreadPoolExecutor) {
      ScheduledThreadPoolExecutor scheduler = (ScheduledThreadPoolExecutor) pool;
      scheduler.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
      scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      long oneShots = 0;
      for (Runnable queued : scheduler.getQueue()) {
        if (queued instanceof RunnableScheduledFuture
            && !((RunnableScheduledFuture<?>) queued).isPeriodic()
            && !((RunnableScheduledFuture<?>) queued).isDone()) {
          oneShots++;
        }
      }
      dropped = oneShots;
      if (oneShots > 0) {
        log.warn(
            "shutdown: scheduler '{}' drops {} delayed task(s) that have not started", name, oneShots);
      }
    }
    pool.shutdown();
  }

  @Override
  public long inFlight() {
    if (pool instanceof ThreadPoolExecutor) {
      ThreadPoolExecutor tpe = (ThreadPoolExecutor) pool;
      if (tpe instanceof ScheduledThreadPoolExecutor && !tpe.isShutdown()) {
        // Before stop-accepting the queue holds the periodic tasks: only runs under way count.
        return tpe.getActiveCount();
      }
      return tpe.getActiveCount() + (long) tpe.getQueue().size();
    }
    return pool.isTerminated() ? 0 : 1;
  }

  @Override
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return pool.awaitTermination(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
  }

  @Override
  public long finished() {
    return pool instanceof ThreadPoolExecutor ? ((ThreadPoolExecutor) pool).getCompletedTaskCount() : -1;
  }

  @Override
  public long dropped() {
    return dropped;
  }

  @Override
  public String toString() {
    return "PoolParticipant{" + name + ", inFlight=" + inFlight() + '}';
  }
}
