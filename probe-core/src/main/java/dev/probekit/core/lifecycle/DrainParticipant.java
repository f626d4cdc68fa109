package dev.probekit.core.lifecycle;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * Something that can stop taking new work and finish what it has: a server's requests, an
 * executor, a scheduler, a queue consumer, a set of long-lived streams. Every participant of a
 * {@link Lifecycle} joins one drain: at {@link DrainPhase#STOP_ACCEPTING} all of them {@linkplain
 * #stopAccepting() stop accepting} at once, then at {@link DrainPhase#DRAIN} all of them {@linkplain
 * #awaitIdle(Duration) drain} in parallel within the drain timeout. The HTTP requests counted by
 * {@link Lifecycle#inflight()} are the participant named {@value #HTTP}.
 *
 * <pre>{@code
 * DrainingExecutorService mail =
 *     lifecycle.addDrainParticipant(DrainParticipant.executor("mail", Executors.newFixedThreadPool(4)));
 * mail.submit(() -> send(message)); // submit through the participant so it can count
 * }</pre>
 *
 * <p>Implementations must be thread-safe: {@link #inFlight()} is read from the drain's thread while
 * {@link #awaitIdle(Duration)} runs on a thread of its own. Whatever a participant throws (an
 * {@link Error} included) or however long it hangs, it is reported in the {@link ShutdownSummary}
 * and does not stop the others.
 */
public interface DrainParticipant {

  /** The name of the participant that stands for HTTP requests in flight: {@value}. */
  String HTTP = "http";

  /** {@return the name used in logs, the summary and metric tags; unique within a lifecycle} */
  String name();

  /**
   * Stops taking new work: no new task, poll, scheduled run or stream. Work already accepted goes
   * on. Called once, at {@link DrainPhase#STOP_ACCEPTING}; should return quickly.
   */
  void stopAccepting();

  /**
   * How much accepted work is not yet finished (tasks queued and running, a batch's items, open
   * streams); logged as the drain progresses and reported as abandoned at its deadline. Must not
   * block.
   *
   * @return the units of work not yet finished
   */
  long inFlight();

  /**
   * Waits until all accepted work has finished, or {@code timeout} has passed.
   *
   * @param timeout the longest wait: what is left of the drain budget
   * @return whether the participant became idle in time
   * @throws InterruptedException if interrupted: the drain interrupts a participant that has not
   *     returned at its deadline
   */
  boolean awaitIdle(Duration timeout) throws InterruptedException;

  /**
   * An executor that joins the drain: submit tasks through the returned service, which counts
   * them. At stop-accepting it rejects new tasks ({@link
   * java.util.concurrent.RejectedExecutionException}) and shuts {@code executor} down; running and
   * queued tasks finish.
   *
   * @param name for logs, the summary and metrics
   * @param executor the executor that runs the tasks; the participant owns its shutdown
   * @return the executor to submit to, and the participant to {@linkplain
   *     Lifecycle#addDrainParticipant register}
   */
  static DrainingExecutorService executor(String name, ExecutorService executor) {
    return new DrainingExecutorService(name, executor);
  }

  /**
   * A scheduler that joins the drain: at stop-accepting, periodic tasks get no new run and delayed
   * tasks that have not started are dropped (and reported as abandoned, so the summary shows work
   * that was promised and not done); a run under way finishes.
   *
   * @param name for logs, the summary and metrics
   * @param scheduler the scheduler; the participant owns its shutdown
   * @return the participant to {@linkplain Lifecycle#addDrainParticipant register}
   */
  static DrainParticipant scheduler(String name, ScheduledExecutorService scheduler) {
    return new PoolParticipant(name, scheduler);
  }

  /**
   * A thread pool that joins the drain without being submitted through: a framework's pool, such as
   * the one behind Spring's {@code ThreadPoolTaskExecutor}. Counts are read from the pool (tasks
   * queued plus running; completed tasks), so they are the pool's own estimates. At stop-accepting
   * the pool is {@linkplain ThreadPoolExecutor#shutdown() shut down}: running and queued tasks
   * finish. A {@link java.util.concurrent.ScheduledThreadPoolExecutor} is drained as {@link
   * #scheduler(String, ScheduledExecutorService)} does.
   *
   * @param name for logs, the summary and metrics
   * @param pool the pool; the participant owns its shutdown
   * @return the participant to {@linkplain Lifecycle#addDrainParticipant register}
   */
  static DrainParticipant threadPool(String name, ThreadPoolExecutor pool) {
    return new PoolParticipant(name, pool);
  }
}
