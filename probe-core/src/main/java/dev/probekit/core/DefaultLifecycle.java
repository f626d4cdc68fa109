package dev.probekit.core;

import dev.probekit.core.internal.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The default {@link Lifecycle}.
 *
 * <p>Two one-shot halves: {@link #preStop()} runs ANNOUNCE and PRE_STOP_DELAY, {@link #shutdown()}
 * runs preStop (or waits for it) and then the rest. Each half is claimed by the first caller with
 * a compare-and-set and completed through a future that later callers join, so no step ever runs
 * twice, whichever of preStop, SIGTERM and code comes first or comes again.
 *
 * <pre>
 *   preStop hook ──> preStopAsync ─┐
 *   SIGTERM ──> shutdown ──> preStop (claim or join) ──> ANNOUNCE ──> PRE_STOP_DELAY ─┐
 *                                                      (skipped if never ready)        │
 *   second SIGTERM ──> shutdown ──> join ◄─────────────────────────────────────────────┤
 *                        STOP_ACCEPTING ──> DRAIN ──> SHUTDOWN_TASKS ──> closeLast ──> summary
 * </pre>
 */
final class DefaultLifecycle implements Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);
  static final String SHUTTING_DOWN = "shutting down";

  private final Health health;
  private final Duration preStopDelay;
  private final Duration drainTimeout;
  private final Duration gracePeriod;
  private final Duration safetyMargin;
  private final InflightTracker inflight;
  private final Ticker ticker;
  private final boolean exitOnSignal;

  private final List<Named<Runnable>> stopAccepting = new CopyOnWriteArrayList<>();
  private final List<Named<ShutdownTask>> tasks = new CopyOnWriteArrayList<>();
  private final List<Named<ShutdownTask>> lastTasks = new CopyOnWriteArrayList<>();
  private final List<LifecycleListener> listeners = new CopyOnWriteArrayList<>();

  private final AtomicBoolean preStopClaimed = new AtomicBoolean();
  private final CompletableFuture<Void> preStopDone = new CompletableFuture<>();
  private final AtomicBoolean shutdownClaimed = new AtomicBoolean();
  private final CompletableFuture<ShutdownSummary> shutdownDone = new CompletableFuture<>();
  private final AtomicBoolean signalHandlerInstalled = new AtomicBoolean();
  private final Map<DrainPhase, Duration> phaseDurations = new EnumMap<>(DrainPhase.class);

  private volatile boolean draining;
  /**
   * Whether readiness has ever been UP on the strength of at least one check, or has turned UP
   * after being DOWN (a readiness with no checks that was never overridden is UP vacuously, which
   * says nothing about traffic). A shutdown that starts while
   * readiness is DOWN and has never been UP this way comes during start-up: no load balancer can
   * be sending traffic, so the pre-stop delay is skipped.
   */
  private volatile boolean everReady;
  private volatile DrainPhase lastCompleted;
  /** Set by the first step; the whole sequence must end by {@code budgetStart + budget}. */
  private volatile long budgetStart;

  DefaultLifecycle(Lifecycle.Builder b) {
    this.health = b.health;
    this.preStopDelay = b.preStopDelay;
    this.drainTimeout = b.drainTimeout;
    this.gracePeriod = b.gracePeriod;
    this.safetyMargin = b.safetyMargin;
    this.inflight = b.inflight != null ? b.inflight : InflightTracker.create(b.ticker);
    this.ticker = b.ticker;
    this.exitOnSignal = b.exitOnSignal;
    // Register before reading, so a change between the two is not missed.
    health.addProbeListener(
        (previous, current) -> {
          // A transition to UP counts even without checks: an override (a framework's "starting",
          // an operator's) was cleared, so traffic may now be flowing.
          if (current.probe().orElse(null) == Probe.READINESS && current.isUp()) {
            everReady = true;
          }
        });
    if (readyOnChecks(health.snapshot(Probe.READINESS))) {
      everReady = true;
    }
    Duration needed = preStopDelay.plus(drainTimeout).plus(safetyMargin);
    if (needed.compareTo(gracePeriod) > 0) {
      log.warn(
          "pre-stop delay {} + drain timeout {} + safety margin {} = {} exceeds the grace period {}:"
              + " the drain will be cut short. Raise terminationGracePeriodSeconds or lower them.",
          Durations.format(preStopDelay),
          Durations.format(drainTimeout),
          Durations.format(safetyMargin),
          Durations.format(needed),
          Durations.format(gracePeriod));
    }
  }

  @Override
  public InflightTracker inflight() {
    return inflight;
  }

  @Override
  public Duration preStopDelay() {
    return preStopDelay;
  }

  @Override
  public Duration drainTimeout() {
    return drainTimeout;
  }

  @Override
  public Duration gracePeriod() {
    return gracePeriod;
  }

  @Override
  public boolean isDraining() {
    return draining;
  }

  @Override
  public Optional<DrainPhase> lastCompletedPhase() {
    return Optional.ofNullable(lastCompleted);
  }

  @Override
  public void onStopAccepting(String name, Runnable action) {
    stopAccepting.add(new Named<>(name, action, null));
  }

  @Override
  public void addShutdownTask(String name, Duration timeout, ShutdownTask task) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    tasks.add(new Named<>(name, task, timeout));
  }

  @Override
  public void closeLast(String name, AutoCloseable resource) {
    Objects.requireNonNull(resource, "resource");
    lastTasks.add(new Named<>(name, resource::close, DEFAULT_TASK_TIMEOUT));
  }

  @Override
  public void addListener(LifecycleListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void installSignalHandler() {
    if (!signalHandlerInstalled.compareAndSet(false, true)) {
      throw new IllegalStateException("signal handler already installed on this lifecycle");
    }
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        // The JVM runs each signal's handler on a new thread, so draining here blocks nothing
        // but that thread; the servers keep serving until their own steps.
        SignalHandler[] previous = new SignalHandler[1];
        previous[0] = Signal.handle(new Signal(name), signal -> onSignal(signal, previous[0]));
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        log.warn("cannot handle SIG{} ({}); relying on the JVM shutdown hook", name, e.toString());
      }
    }
    // System.exit from elsewhere (or a signal we could not handle) still drains.
    Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "probekit-shutdown-hook"));
  }

  private void onSignal(Signal signal, SignalHandler previous) {
    log.info("received SIG{}: starting graceful shutdown", signal.getName());
    shutdown();
    if (exitOnSignal) {
      System.exit(0);
    } else if (previous != null
        && previous != SignalHandler.SIG_DFL
        && previous != SignalHandler.SIG_IGN) {
      // Hand the signal to whoever handled it before us (the JVM's own handler exits with 143).
      previous.handle(signal);
    } else if (previous != SignalHandler.SIG_IGN) {
      System.exit(128 + signal.getNumber());
    }
  }

  @Override
  public void preStop() {
    if (!preStopClaimed.compareAndSet(false, true)) {
      preStopDone.join();
      return;
    }
    try {
      budgetStart = ticker.read();
      long t0 = ticker.read();
      // Decided before our own override turns readiness DOWN.
      boolean starting = !everReady && !health.snapshot(Probe.READINESS).isUp();
      draining = true;
      health.readiness().down(SHUTTING_DOWN);
      completed(DrainPhase.ANNOUNCE, t0);

      long t1 = ticker.read();
      if (!starting) {
        Duration delay = min(preStopDelay, remaining());
        log.info("shutdown: serving for the pre-stop delay of {}", Durations.format(delay));
        pause(delay);
      } else {
        log.info("shutdown: never ready, so no load balancer sends traffic: no pre-stop delay");
      }
      completed(DrainPhase.PRE_STOP_DELAY, t1);
    } finally {
      preStopDone.complete(null);
    }
  }

  @Override
  public CompletionStage<Void> preStopAsync() {
    if (!preStopClaimed.get()) {
      Thread runner = new Thread(this::preStop, "probekit-prestop");
      runner.setDaemon(true);
      runner.start();
    }
    // A copy: callers must not be able to complete the lifecycle's own future.
    return preStopDone.minimalCompletionStage();
  }

  @Override
  public ShutdownSummary shutdown() {
    preStop();
    if (!shutdownClaimed.compareAndSet(false, true)) {
      return shutdownDone.join();
    }
    try {
      long t0 = ticker.read();
      // Requests finishing from here on are the drained ones: the listeners are closing now.
      long finishedAtStart = inflight.finished();
      for (Named<Runnable> listener : stopAccepting) {
        try {
          listener.value.run();
        } catch (RuntimeException e) {
          log.warn("shutdown: stop-accepting action '{}' failed", listener.name, e);
        }
      }
      completed(DrainPhase.STOP_ACCEPTING, t0);

      long t1 = ticker.read();
      long inFlightAtStart = inflight.current();
      Duration drainFor = min(drainTimeout, remaining());
      log.info(
          "shutdown: draining {} in-flight request(s), for at most {}",
          inFlightAtStart,
          Durations.format(drainFor));
      boolean drained = awaitDrain(drainFor);
      long abandoned = drained ? 0 : inflight.current();
      // Counted as finishes since stop-accepting began rather than as a difference of in-flight
      // counts: requests that arrive on kept-alive connections meanwhile and finish in time are
      // drained too.
      long drainedCount = inflight.finished() - finishedAtStart;
      completed(DrainPhase.DRAIN, t1);

      long t2 = ticker.read();
      List<String> failed = runTasks(tasks);
      failed.addAll(runTasks(lastTasks));
      completed(DrainPhase.SHUTDOWN_TASKS, t2);

      ShutdownSummary summary;
      synchronized (phaseDurations) {
        summary =
            ShutdownSummary.of(
                phaseDurations,
                Duration.ofNanos(ticker.read() - budgetStart),
                Math.max(0, drainedCount),
                abandoned,
                failed);
      }
      log.info("{}", summary);
      shutdownDone.complete(summary);
      return summary;
    } catch (RuntimeException | Error e) {
      shutdownDone.completeExceptionally(e);
      throw e;
    }
  }

  @Override
  public Optional<ShutdownSummary> summary() {
    return Optional.ofNullable(shutdownDone.getNow(null));
  }

  private boolean awaitDrain(Duration timeout) {
    try {
      return inflight.awaitZero(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return inflight.current() == 0;
    }
  }

  private List<String> runTasks(List<Named<ShutdownTask>> toRun) {
    List<String> failed = new ArrayList<>();
    List<Named<ShutdownTask>> reversed = new ArrayList<>(toRun);
    java.util.Collections.reverse(reversed);
    for (Named<ShutdownTask> task : reversed) {
      Duration timeout = min(task.timeout, remaining());
      if (timeout.isZero()) {
        log.warn("shutdown: no time left in the grace period for task '{}'", task.name);
        failed.add(task.name);
        continue;
      }
      long start = ticker.read();
      AtomicBoolean ok = new AtomicBoolean();
      Thread runner =
          new Thread(
              () -> {
                try {
                  task.value.run();
                  ok.set(true);
                } catch (Exception e) {
                  log.warn("shutdown: task '{}' failed", task.name, e);
                } catch (Error e) {
                  log.warn("shutdown: task '{}' failed", task.name, e);
                  throw e;
                }
              },
              "probekit-shutdown-task-" + task.name);
      runner.setDaemon(true);
      runner.start();
      try {
        runner.join(Math.max(1, timeout.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (runner.isAlive()) {
        runner.interrupt();
        log.warn("shutdown: task '{}' timed out after {}", task.name, Durations.format(timeout));
        failed.add(task.name);
      } else if (!ok.get()) {
        failed.add(task.name);
      } else {
        log.info(
            "shutdown: task '{}' done in {}",
            task.name,
            Durations.format(Duration.ofNanos(ticker.read() - start)));
      }
    }
    return failed;
  }

  private void completed(DrainPhase phase, long startNanos) {
    Duration took = Duration.ofNanos(Math.max(0, ticker.read() - startNanos));
    synchronized (phaseDurations) {
      phaseDurations.put(phase, took);
    }
    lastCompleted = phase;
    log.info("shutdown: {} done in {}", phase.tagValue(), Durations.format(took));
    for (LifecycleListener listener : listeners) {
      try {
        listener.onPhaseCompleted(phase, took);
      } catch (RuntimeException e) {
        log.warn("lifecycle listener {} failed on {}", listener, phase, e);
      }
    }
  }

  /** What is left of the budget: grace period minus safety margin, from the first step. */
  private Duration remaining() {
    long budget = gracePeriod.minus(safetyMargin).toNanos();
    long left = budget - (ticker.read() - budgetStart);
    return Duration.ofNanos(Math.max(0, left));
  }

  /** Sleeps for {@code delay}; an interrupt does not cut the delay short but is preserved. */
  private void pause(Duration delay) {
    long deadline = ticker.read() + delay.toNanos();
    boolean interrupted = false;
    long left;
    while ((left = deadline - ticker.read()) > 0) {
      LockSupport.parkNanos(Math.min(left, 50_000_000L));
      interrupted |= Thread.interrupted();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean readyOnChecks(ProbeSnapshot snapshot) {
    return snapshot.isUp() && !snapshot.checks().isEmpty();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  @Override
  public String toString() {
    return "Lifecycle{preStopDelay="
        + Durations.format(preStopDelay)
        + ", drainTimeout="
        + Durations.format(drainTimeout)
        + ", gracePeriod="
        + Durations.format(gracePeriod)
        + ", draining="
        + draining
        + '}';
  }

  private static final class Named<T> {
    final String name;
    final T value;
    final Duration timeout;

    Named(String name, T value, Duration timeout) {
      this.name = Objects.requireNonNull(name, "name");
      this.value = Objects.requireNonNull(value, "value");
      this.timeout = timeout;
    }
  }
}
