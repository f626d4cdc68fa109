package dev.probekit.core.waits;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.internal.Backoff;
import dev.probekit.core.internal.DaemonThreadFactory;
import dev.probekit.core.internal.Durations;
import dev.probekit.core.internal.Failures;
import dev.probekit.core.internal.Ticker;
import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.Lifecycle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a {@link Waits}: a state per dependency, attempts with backoff on the executor, a
 * guard per attempt for those that ignore their timeout, the deadline, the progress lines, and the
 * {@code wait-<name>} checks. Every text it logs or throws is masked ({@code State#shown}, {@link
 * #describe(Throwable)}, {@link DependencyWaitException}).
 *
 * <pre>
 *   await ─> start ─> per dependency: schedule ─> attempt on the executor ─> settle
 *                                         ^            └─ guard: timeout ─> settle ┘   │
 *                                         └──────── backoff on failure ────────────────┘
 *            deadline ─> fail (or degrade)      progress ─> one INFO line per unmet dependency
 * </pre>
 */
final class WaitRun {
  private static final Logger log = LoggerFactory.getLogger(Waits.class);

  /** How often a wait's check re-reads its state; a met wait's check is removed at once. */
  private static final Duration CHECK_INTERVAL = Duration.ofMillis(250);

  private final List<State> states = new ArrayList<>();
  private final Duration deadline;
  private final Duration defaultAttemptTimeout;
  private final Backoff backoff;
  private final Duration progressInterval;
  private final boolean continueDegraded;
  private final HealthRegistry health;
  private final Lifecycle lifecycle;
  private final Ticker ticker;
  private final RandomGenerator random;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final ExecutorService executor;
  private final boolean ownsExecutor;

  private final AtomicBoolean started = new AtomicBoolean();
  private final CompletableFuture<Boolean> outcome = new CompletableFuture<>();
  private final Object lock = new Object();
  /** Guarded by {@link #lock}: no attempt starts after this is set. */
  private boolean stopped;
  /** Guarded by {@link #lock}: the deadline passed and the unmet dependencies moved to readiness. */
  private boolean degraded;

  private volatile long startNanos;
  private volatile ScheduledFuture<?> deadlineTask;
  private volatile ScheduledFuture<?> progressTask;

  WaitRun(Waits.Builder b) {
    this.deadline = b.deadline;
    this.defaultAttemptTimeout = b.attemptTimeout;
    this.backoff = new Backoff(b.initialBackoff, b.maxBackoff, b.multiplier, b.jitter);
    this.progressInterval = b.progressInterval;
    this.continueDegraded = b.continueDegraded;
    this.health = b.health;
    this.lifecycle = b.lifecycle;
    this.ticker = b.ticker;
    this.random = b.random;
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.ownsScheduler = false;
    } else {
      ScheduledThreadPoolExecutor stpe =
          new ScheduledThreadPoolExecutor(1, new DaemonThreadFactory("probekit-wait-scheduler"));
      stpe.setRemoveOnCancelPolicy(true);
      this.scheduler = stpe;
      this.ownsScheduler = true;
    }
    if (b.executor != null) {
      this.executor = b.executor;
      this.ownsExecutor = false;
    } else {
      // One attempt per dependency at a time, so this grows to at most one thread per dependency.
      this.executor =
          new ThreadPoolExecutor(
              0,
              Integer.MAX_VALUE,
              10,
              TimeUnit.SECONDS,
              new SynchronousQueue<>(),
              new DaemonThreadFactory("probekit-wait"));
      this.ownsExecutor = true;
    }
    for (DependencyWait wait : b.waits) {
      states.add(new State(wait, wait.attemptTimeout().orElse(defaultAttemptTimeout)));
    }
  }

  /** See {@link Waits#await()}. */
  boolean await() throws DependencyWaitException, InterruptedException {
    if (started.compareAndSet(false, true)) {
      start();
    }
    try {
      return outcome.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DependencyWaitException) {
        DependencyWaitException cause = (DependencyWaitException) e.getCause();
        // A fresh exception, so the stack trace shows this caller; same message and facts.
        DependencyWaitException thrown =
            new DependencyWaitException(cause.getMessage(), cause.unmet(), cause.aborted());
        thrown.initCause(cause);
        throw thrown;
      }
      throw new IllegalStateException("dependency waits failed", e.getCause());
    } catch (InterruptedException e) {
      stop("interrupted");
      throw e;
    }
  }

  /** See {@link Waits#unmet()}. */
  List<String> unmet() {
    List<String> names = new ArrayList<>();
    for (State state : states) {
      if (!state.met) {
        names.add(state.wait.name());
      }
    }
    return names;
  }

  /** See {@link Waits#close()}. */
  void close() {
    stop("closed");
    if (health != null) {
      for (State state : states) {
        health.unregister(state.checkName);
      }
    }
  }

  private void start() {
    startNanos = ticker.read();
    if (lifecycle != null) {
      lifecycle.addListener(
          (phase, took) -> {
            if (phase == DrainPhase.ANNOUNCE) {
              abort();
            }
          });
      if (lifecycle.isDraining()) {
        abort();
        return;
      }
    }
    if (states.isEmpty()) {
      finish(true);
      return;
    }
    StringJoiner what = new StringJoiner(", ");
    for (State state : states) {
      what.add(state.toString());
    }
    log.info(
        "waiting for {} dependenc{}: {}; deadline {}",
        states.size(),
        states.size() == 1 ? "y" : "ies",
        what,
        Durations.format(deadline));
    if (health != null) {
      for (State state : states) {
        health.register(
            state.checkName,
            state::check,
            CheckOptions.builder(Probe.STARTUP, Probe.READINESS)
                .interval(CHECK_INTERVAL)
                .timeout(Duration.ofSeconds(1))
                .build());
      }
    }
    try {
      deadlineTask =
          scheduler.schedule(this::onDeadline, deadline.toNanos(), TimeUnit.NANOSECONDS);
      progressTask =
          scheduler.scheduleAtFixedRate(
              this::logProgress,
              progressInterval.toNanos(),
              progressInterval.toNanos(),
              TimeUnit.NANOSECONDS);
      for (State state : states) {
        scheduleAttempt(state, 0);
      }
    } catch (RejectedExecutionException e) {
      fail(new DependencyWaitException("dependency waits could not start: scheduler rejected them", unmet(), true));
    }
  }

  private void scheduleAttempt(State state, long delayNanos) {
    synchronized (lock) {
      if (stopped || state.met) {
        return;
      }
      try {
        state.next = scheduler.schedule(() -> startAttempt(state), delayNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        log.warn("cannot schedule the next attempt for {}: scheduler rejected it", state);
      }
    }
  }

  private void startAttempt(State state) {
    synchronized (lock) {
      if (stopped || state.met) {
        return;
      }
    }
    if (!state.running.compareAndSet(false, true)) {
      // The previous attempt timed out and its code has not returned: never pile up threads on
      // a hung dependency. Try again after the capped delay.
      scheduleAttempt(state, backoff.delay(Integer.MAX_VALUE, random.nextDouble()).toNanos());
      return;
    }
    long id;
    synchronized (state) {
      id = ++state.attemptId;
      state.attempts++;
    }
    Duration timeout = state.attemptTimeout;
    try {
      Future<?> running =
          executor.submit(
              () -> {
                Throwable error = null;
                try {
                  state.wait.attempt(timeout);
                } catch (Throwable t) {
                  error = t;
                } finally {
                  // A timed-out attempt was interrupted; the pooled thread must not carry it on.
                  Thread.interrupted();
                  state.running.set(false);
                }
                settle(state, id, error);
              });
      // A little after the attempt's own timeout, so that attempts which honour it (sockets, the
      // HTTP client) report their own error; this catches the ones that do not.
      long guardNanos = timeout.toNanos() + Math.max(TimeUnit.MILLISECONDS.toNanos(20), timeout.toNanos() / 10);
      scheduler.schedule(
          () -> {
            if (settle(state, id, new TimeoutException("no answer within " + Durations.format(timeout)))) {
              running.cancel(true);
            }
          },
          guardNanos,
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      state.running.set(false);
      settle(state, id, e);
    }
  }

  /**
   * Applies the outcome of attempt {@code id}: the first of its completion and its timeout wins.
   *
   * @return whether this call settled the attempt
   */
  private boolean settle(State state, long id, Throwable error) {
    synchronized (state) {
      if (id != state.attemptId || state.settledId == id) {
        return false;
      }
      state.settledId = id;
    }
    if (error == null) {
      onMet(state);
    } else {
      state.lastError = describe(error);
      int failures = ++state.failures;
      log.debug("{}: attempt {} failed: {}", state, state.attempts, state.lastError);
      scheduleAttempt(state, backoff.delay(failures, random.nextDouble()).toNanos());
    }
    return true;
  }

  private void onMet(State state) {
    state.met = true;
    boolean all;
    boolean wasDegraded;
    synchronized (lock) {
      all = states.stream().allMatch(s -> s.met);
      wasDegraded = degraded;
    }
    log.info(
        "{} is available after {} attempt{} in {}",
        state,
        state.attempts,
        state.attempts == 1 ? "" : "s",
        Durations.approximate(elapsed()));
    if (health != null) {
      health.unregister(state.checkName);
    }
    if (all) {
      if (wasDegraded) {
        log.info("every dependency is now available: readiness no longer held down by a wait");
      } else {
        log.info(
            "{} available in {}",
            states.size() == 1 ? "the dependency is" : "all " + states.size() + " dependencies are",
            Durations.approximate(elapsed()));
      }
      finish(true);
    }
  }

  private void onDeadline() {
    List<String> unmet = unmet();
    if (unmet.isEmpty()) {
      return;
    }
    String message =
        "gave up waiting for "
            + (unmet.size() == states.size() ? "" : unmet.size() + " of ")
            + states.size()
            + " dependenc"
            + (states.size() == 1 ? "y" : "ies")
            + " after "
            + Durations.format(deadline)
            + ": "
            + describeUnmet();
    if (continueDegraded) {
      synchronized (lock) {
        degraded = true;
      }
      log.warn("{}; starting degraded: readiness stays DOWN until they are available", message);
      if (health != null) {
        for (State state : states) {
          if (!state.met && health.unregister(state.checkName)) {
            health.register(
                state.checkName,
                state::check,
                CheckOptions.builder(Probe.READINESS).interval(CHECK_INTERVAL).timeout(Duration.ofSeconds(1)).build());
            if (state.met) {
              // Met between the two calls: its unregister may have run before our register.
              health.unregister(state.checkName);
            }
          }
        }
      }
      cancel(progressTask);
      outcome.complete(false);
    } else {
      fail(new DependencyWaitException(message, unmet, false));
    }
  }

  private void abort() {
    if (outcome.isDone() && !isDegraded()) {
      return;
    }
    List<String> unmet = unmet();
    String message =
        "dependency waits aborted: the service is shutting down"
            + (unmet.isEmpty() ? "" : "; still unavailable: " + describeUnmet());
    log.info("{}", message);
    fail(new DependencyWaitException(message, unmet, true));
  }

  private void stop(String why) {
    if (!outcome.isDone()) {
      List<String> unmet = unmet();
      fail(
          new DependencyWaitException(
              "dependency waits " + why + (unmet.isEmpty() ? "" : "; still unavailable: " + describeUnmet()),
              unmet,
              true));
    } else {
      shutdown();
    }
  }

  private void fail(DependencyWaitException e) {
    outcome.completeExceptionally(e);
    shutdown();
  }

  private void finish(boolean allMet) {
    outcome.complete(allMet);
    shutdown();
  }

  private boolean isDegraded() {
    synchronized (lock) {
      return degraded;
    }
  }

  /** Stops every timer and retry; attempts still running are interrupted. */
  private void shutdown() {
    synchronized (lock) {
      stopped = true;
    }
    cancel(deadlineTask);
    cancel(progressTask);
    for (State state : states) {
      cancel(state.next);
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
    if (ownsExecutor) {
      executor.shutdownNow();
    }
  }

  private static void cancel(Future<?> future) {
    if (future != null) {
      future.cancel(false);
    }
  }

  private void logProgress() {
    Duration elapsed = elapsed();
    Duration left = deadline.minus(elapsed);
    for (State state : states) {
      if (!state.met) {
        log.info(
            "still waiting for {}: attempt {}, {} elapsed, {} left, last error: {}",
            state,
            state.attempts,
            Durations.approximate(elapsed),
            Durations.approximate(left.isNegative() ? Duration.ZERO : left),
            state.lastError == null ? "none yet" : state.lastError);
      }
    }
  }

  private String describeUnmet() {
    StringJoiner joiner = new StringJoiner("; ");
    for (State state : states) {
      if (!state.met) {
        joiner.add(
            state
                + ": "
                + state.attempts
                + " attempt"
                + (state.attempts == 1 ? "" : "s")
                + ", last error: "
                + (state.lastError == null ? "none yet" : state.lastError));
      }
    }
    return joiner.toString();
  }

  private Duration elapsed() {
    return Duration.ofNanos(Math.max(0, ticker.read() - startNanos));
  }

  /**
   * {@code ConnectException: Connection refused}, or a DOWN check's message: on one line, short,
   * secrets masked.
   */
  static String describe(Throwable error) {
    return error instanceof SimpleDependencyWait.Unavailable
        ? Failures.clean(error.getMessage())
        : Failures.describeBriefly(error);
  }

  @Override
  public String toString() {
    return "Waits{" + states + ", deadline=" + Durations.format(deadline) + '}';
  }

  /** What one dependency's wait has seen so far. */
  private final class State {
    final DependencyWait wait;
    final Duration attemptTimeout;
    final String checkName;
    final AtomicBoolean running = new AtomicBoolean();
    volatile int attempts;
    volatile int failures;
    volatile String lastError;
    volatile boolean met;
    volatile ScheduledFuture<?> next;
    /** Guarded by this state. */
    long attemptId;
    /** Guarded by this state. */
    long settledId;

    /** The description and the "name (description)" that logs and messages show, masked. */
    final String description;
    final String shown;

    State(DependencyWait wait, Duration attemptTimeout) {
      this.wait = wait;
      this.attemptTimeout = attemptTimeout;
      this.checkName = checkName(wait.name());
      this.description = Failures.clean(wait.description());
      this.shown =
          Failures.clean(
              wait.name().equals(wait.description())
                  ? wait.name()
                  : wait.name() + " (" + wait.description() + ")");
    }

    /** The wait's check: DOWN with its progress until met. */
    CheckResult check() {
      if (met) {
        return CheckResult.up("available after " + attempts + " attempt(s)");
      }
      Duration left = deadline.minus(elapsed());
      String message =
          "waiting for "
              + description
              + ": "
              + (attempts == 0 ? "first attempt under way" : "attempt " + attempts)
              + ", "
              + Durations.approximate(elapsed())
              + " elapsed, "
              + (left.isNegative() ? "deadline passed" : Durations.approximate(left) + " left")
              + ", last error: "
              + (lastError == null ? "none yet" : lastError);
      CheckResult result = CheckResult.down(message).withDetail("attempts", attempts);
      return lastError == null ? result : result.withDetail("lastError", lastError);
    }

    @Override
    public String toString() {
      return shown;
    }
  }

  /** {@code wait-} and the name with anything a check name cannot hold replaced by {@code -}. */
  static String checkName(String name) {
    String cleaned = "wait-" + name.replaceAll("[^A-Za-z0-9._-]", "-");
    return cleaned.length() > 64 ? cleaned.substring(0, 64) : cleaned;
  }
}
