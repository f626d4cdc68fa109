package dev.probekit.core.lifecycle;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ListenerRegistration;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.ProbeSnapshot;
import dev.probekit.core.internal.Arguments;
import dev.probekit.core.internal.Durations;
import dev.probekit.core.internal.Failures;
import dev.probekit.core.internal.OsSignals;
import dev.probekit.core.internal.ReadinessAnswerCount;
import dev.probekit.core.internal.Ticker;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link Lifecycle}.
 *
 * <p>Two halves: {@link #preStop()} runs ANNOUNCE and PRE_STOP_DELAY, {@link #shutdown()} runs
 * preStop (or joins it) and then the rest. Each half is claimed by the first caller and completed
 * through a future that later callers join, so no step ever runs twice, whichever of preStop,
 * SIGTERM and code comes first or comes again. A pre-stop run that no shutdown follows within the
 * grace period is given up ("resumed"): readiness is released and the next pre-stop starts over.
 *
 * <p>The sequence, with its hooks, joins and watchdog, is drawn once, in the documentation of
 * the {@code dev.probekit.core} package.
 *
 * <p>Every call into user code (stop-accepting actions, listeners, tasks, and the probe listeners
 * behind readiness DOWN) is guarded against any {@link Throwable}: logged once with its phase,
 * counted in the summary and told to {@link LifecycleListener#onFault}, and the sequence goes on.
 */
final class DefaultLifecycle implements Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);
  static final String SHUTTING_DOWN = "shutting down";
  /** The longest the drain participants' stop-accepting calls may hold the sequence. */
  private static final Duration STOP_ACCEPTING_BOUND = Duration.ofSeconds(2);
  /** How often waits that must notice a flag (the resume timer, the watchdog) wake up. */
  private static final long POLL_NANOS = 50_000_000L;

  private final HealthRegistry health;
  private final Duration preStopDelay;
  private final Duration preStopMin;
  private final Duration preStopQuietPeriod;
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
  /** Drain participants other than HTTP, in registration order. */
  private final List<DrainParticipant> participants = new CopyOnWriteArrayList<>();
  private final Duration progressEvery;

  /** Guards {@link #preStopRun} changes, {@link #shutdownRequested} and resuming. */
  private final Object stateLock = new Object();
  /** The current pre-stop run, or null before the first; replaced after a resumed one. */
  private volatile PreStopRun preStopRun;
  private volatile boolean shutdownRequested;
  private final AtomicBoolean shutdownClaimed = new AtomicBoolean();
  private final CompletableFuture<ShutdownSummary> shutdownDone = new CompletableFuture<>();
  private final AtomicBoolean signalHandlerInstalled = new AtomicBoolean();
  private final AtomicInteger signals = new AtomicInteger();
  private final Map<DrainPhase, Duration> phaseDurations = new EnumMap<>(DrainPhase.class);
  /** Faults of user code other than tasks, for the summary; in the order they happened. */
  private final List<String> faults = new CopyOnWriteArrayList<>();

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
  /** How the last pre-stop step went; null before one ended. */
  private volatile PreStopReport preStopReport;
  /** Set by the first step; the whole sequence must end by {@code budgetStart + budget}. */
  private volatile long budgetStart;
  /** Where the budget of the shutdown starts, fixed when it is requested; see {@link #shutdown}. */
  private volatile long shutdownBudgetStart;
  /** What the sequence is doing now: what the watchdog names if it has to halt. */
  private volatile String step = "not started";
  /** Set by {@link #installSignalHandler()}: only then may a watchdog halt the JVM. */
  private volatile boolean watchdogEnabled;
  /** Set when the JVM is about to exit (or exiting): the watchdog then also guards the exit. */
  private volatile boolean exiting;
  /** Set when no exit follows the sequence after all (the signal was ignored before us). */
  private volatile boolean exitChosen;

  DefaultLifecycle(Lifecycle.Builder b) {
    this.health = b.health;
    this.preStopDelay = b.preStopDelay;
    this.preStopMin = b.preStopMin;
    this.preStopQuietPeriod = b.preStopQuietPeriod;
    this.drainTimeout = b.drainTimeout;
    this.gracePeriod = b.gracePeriod;
    this.safetyMargin = b.safetyMargin;
    this.inflight = b.inflight != null ? b.inflight : InflightTracker.create(b.ticker);
    this.ticker = b.ticker;
    this.exitOnSignal = b.exitOnSignal;
    this.progressEvery = b.drainProgressInterval;
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
  public Duration preStopMin() {
    return preStopMin;
  }

  @Override
  public Duration preStopQuietPeriod() {
    return preStopQuietPeriod;
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
    Arguments.positive("timeout", timeout);
    tasks.add(new Named<>(name, task, timeout));
  }

  @Override
  public void closeLast(String name, AutoCloseable resource) {
    Objects.requireNonNull(resource, "resource");
    lastTasks.add(new Named<>(name, resource::close, DEFAULT_TASK_TIMEOUT));
  }

  @Override
  public <P extends DrainParticipant> P addDrainParticipant(P participant) {
    Objects.requireNonNull(participant, "participant");
    String name = Objects.requireNonNull(participant.name(), "participant.name()");
    synchronized (participants) {
      if (name.equals(DrainParticipant.HTTP)
          || participants.stream().anyMatch(p -> p.name().equals(name))) {
        throw new IllegalArgumentException(
            "drain participant name: " + name + " (expected: unique, not '" + DrainParticipant.HTTP + "')");
      }
      if (shutdownClaimed.get()) {
        // Too late to stop accepting with the others; the caller must stop it itself.
        log.warn(
            "shutdown: drain participant '{}' registered after the drain started: not drained", name);
      }
      participants.add(participant);
    }
    return participant;
  }

  @Override
  public ListenerRegistration addListener(LifecycleListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> listeners.remove(listener);
  }

  @Override
  public void installSignalHandler() {
    if (!signalHandlerInstalled.compareAndSet(false, true)) {
      throw new IllegalStateException("signal handler already installed on this lifecycle");
    }
    watchdogEnabled = true;
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        // The JVM runs each signal's handler on a new thread, so draining here blocks nothing
        // but that thread; the servers keep serving until their own steps.
        OsSignals.handle(name, this::onSignal);
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        log.warn("cannot handle SIG{} ({}); relying on the JVM shutdown hook", name, e.toString());
      }
    }
    // System.exit from elsewhere (or a signal we could not handle) still drains.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  exiting = true;
                  shutdown();
                },
                "probekit-shutdown-hook"));
  }

  private void onSignal(OsSignals.Caught signal) {
    int status = EXIT_DEGRADED;
    try {
      if (signals.getAndIncrement() == 0) {
        keepAlive();
        log.info("received SIG{}: starting graceful shutdown", signal.getName());
      } else {
        log.info(
            "received SIG{} again: the graceful shutdown is already running ({}); no step runs"
                + " twice",
            signal.getName(),
            step);
      }
      status = shutdown().isClean() ? EXIT_CLEAN : EXIT_DEGRADED;
    } catch (Throwable t) {
      // shutdown() guards every call into user code; this is the last net so the exit happens.
      safeLog(() -> log.error("graceful shutdown failed: {}", Failures.describeBriefly(t), Failures.loggable(t)));
    } finally {
      exit(signal, status);
    }
  }

  /**
   * Holds the JVM up until the signal handler has chosen the exit status. The handler's thread is
   * a daemon: without this, once the last server thread stops the JVM would exit by itself,
   * with status 0, before the handler's own {@code System.exit(status)}.
   */
  private void keepAlive() {
    try {
      Thread keeper =
          new Thread(
              () -> {
                while (!exitChosen) {
                  LockSupport.parkNanos(POLL_NANOS);
                }
              },
              "probekit-shutdown-keepalive");
      keeper.setDaemon(false);
      keeper.start();
    } catch (Throwable t) {
      safeLog(() -> log.warn("shutdown: cannot start the keep-alive thread: {}", Failures.describeBriefly(t)));
    }
  }

  private void exit(OsSignals.Caught signal, int status) {
    step = "the JVM's exit (a shutdown hook that does not return?)";
    exiting = true;
    if (exitOnSignal) {
      System.exit(status);
    } else if (!signal.passOn()) {
      exiting = false;
      exitChosen = true;
    }
  }

  @Override
  public void preStop() {
    PreStopRun run = currentOrNewRun();
    if (run.start.compareAndSet(false, true)) {
      runPreStop(run);
    } else {
      // A failed step was logged by its runner; a caller joining it has nothing to add.
      run.done.handle((ok, failed) -> null).join();
    }
  }

  @Override
  public CompletionStage<Void> preStopAsync() {
    PreStopRun run = currentOrNewRun();
    if (run.start.compareAndSet(false, true)) {
      try {
        Thread runner = new Thread(() -> runPreStop(run), "probekit-prestop");
        runner.setDaemon(true);
        runner.start();
      } catch (Throwable t) {
        // No thread (out of memory, or of threads): run it here rather than never.
        runPreStop(run);
      }
    }
    // A copy: callers must not be able to complete the lifecycle's own future.
    return run.done.minimalCompletionStage();
  }

  /**
   * The current pre-stop run, or a new one when there is none or the last one was resumed; whoever
   * wins its {@code start} runs it, the others join it.
   */
  private PreStopRun currentOrNewRun() {
    synchronized (stateLock) {
      PreStopRun current = preStopRun;
      if (current != null && !current.resumed) {
        return current;
      }
      PreStopRun mine = new PreStopRun(ticker.read());
      preStopRun = mine;
      return mine;
    }
  }

  private void runPreStop(PreStopRun run) {
    int faultsBefore = faults.size();
    try {
      budgetStart = run.startedAt;
      long t0 = ticker.read();
      // Decided before our own override turns readiness DOWN.
      boolean starting = !everReady && !health.snapshot(Probe.READINESS).isUp();
      long readinessDownBefore = readinessDownAnswers();
      draining = true;
      step = "announce (readiness DOWN and the probe listeners)";
      guard(DrainPhase.ANNOUNCE, "readiness DOWN", () -> health.readiness().down(SHUTTING_DOWN));
      completed(DrainPhase.ANNOUNCE, t0);

      long t1 = ticker.read();
      step = "pre-stop delay";
      PreStopReport report;
      if (!starting) {
        report = servePreStop(t1, readinessDownBefore);
      } else {
        log.info("shutdown: never ready, so no load balancer sends traffic: no pre-stop delay");
        report =
            PreStopReport.of(
                PreStopReport.Ending.SKIPPED,
                Duration.ZERO,
                null,
                0,
                readinessDownAnswers() - readinessDownBefore);
      }
      preStopReport = report;
      for (LifecycleListener listener : listeners) {
        guard(
            DrainPhase.PRE_STOP_DELAY,
            "lifecycle listener " + Failures.name(listener) + " on the pre-stop report",
            () -> listener.onPreStopEnded(report));
      }
      completed(DrainPhase.PRE_STOP_DELAY, t1);
    } catch (Throwable t) {
      // Our own code failed (out of memory?): still a fault of this step, never a stuck future.
      fault(DrainPhase.ANNOUNCE, "pre-stop", t);
    } finally {
      int failed = faults.size() - faultsBefore;
      if (failed > 0) {
        run.done.completeExceptionally(
            new IllegalStateException(
                "pre-stop step failed: " + faults.subList(faultsBefore, faults.size())));
      } else {
        run.done.complete(null);
      }
      if (!shutdownRequested) {
        startResumeTimer(run);
      }
    }
  }

  /**
   * Gives up a pre-stop run that no shutdown follows within the grace period: a stray call (from
   * anywhere that reaches the endpoint) must not leave the pod unready for good.
   */
  private void startResumeTimer(PreStopRun run) {
    Runnable wait =
        () -> {
          long deadline = run.startedAt + gracePeriod.toNanos();
          long left;
          while ((left = deadline - ticker.read()) > 0) {
            if (shutdownRequested) {
              return;
            }
            LockSupport.parkNanos(Math.min(left, POLL_NANOS));
          }
          resume(run);
        };
    try {
      Thread timer = new Thread(wait, "probekit-prestop-resume");
      timer.setDaemon(true);
      timer.start();
    } catch (Throwable t) {
      safeLog(
          () ->
              log.warn(
                  "pre-stop: cannot start the resume timer ({}): without a SIGTERM readiness stays"
                      + " DOWN",
                  Failures.describeBriefly(t)));
    }
  }

  private void resume(PreStopRun run) {
    synchronized (stateLock) {
      if (shutdownRequested || preStopRun != run || run.resumed) {
        return;
      }
      run.resumed = true;
      draining = false;
      lastCompleted = null;
      safeLog(
          () ->
              log.warn(
                  "pre-stop was called {} ago and no SIGTERM followed within the grace period:"
                      + " resuming normal service (readiness as the checks say, no more"
                      + " Connection: close). If nothing meant to stop this pod, make the pre-stop"
                      + " endpoint reachable only by the kubelet (see docs/shutdown.md)",
                  Durations.format(Duration.ofNanos(ticker.read() - run.startedAt))));
      // Under the lock, so that a shutdown starting now cannot see its own DOWN cleared.
      guard(
          DrainPhase.ANNOUNCE,
          "readiness release after a pre-stop without SIGTERM",
          () -> {
            if (health.readiness().reason().filter(SHUTTING_DOWN::equals).isPresent()) {
              health.readiness().clear();
            }
          });
      step = "not started";
    }
  }

  @Override
  public ShutdownSummary shutdown() {
    synchronized (stateLock) {
      if (!shutdownRequested) {
        shutdownRequested = true;
        long now = ticker.read();
        PreStopRun run = preStopRun;
        // A pre-stop call older than the pre-stop delay did not come just before this signal (or
        // not from the kubelet that sends it): count the budget as if it had, from the signal
        // minus the delay it served, so the drain and the tasks still get their time.
        shutdownBudgetStart =
            run != null && !run.resumed
                ? Math.max(run.startedAt, now - preStopDelay.toNanos())
                : now;
        if (watchdogEnabled) {
          startWatchdog();
        }
      }
    }
    preStop();
    if (!shutdownClaimed.compareAndSet(false, true)) {
      return shutdownDone.join();
    }
    try {
      if (shutdownBudgetStart > budgetStart) {
        log.info(
            "shutdown: the pre-stop call came {} before this shutdown, more than the pre-stop delay"
                + " of {}: the budget counts from the shutdown, less the delay already served",
            Durations.format(Duration.ofNanos(ticker.read() - budgetStart)),
            Durations.format(preStopDelay));
        budgetStart = shutdownBudgetStart;
      }
      long t0 = ticker.read();
      // Built before the servers' actions run: requests finishing from here on are the drained ones.
      List<DrainParticipant> all = new ArrayList<>();
      all.add(new HttpParticipant(inflight));
      all.addAll(participants);
      Drain drain =
          new Drain(
              all,
              ticker,
              progressEvery,
              (what, thrown, how) -> {
                if (thrown != null) {
                  fault(DrainPhase.DRAIN, what, thrown);
                } else {
                  String description = what + " " + how;
                  faults.add(DrainPhase.DRAIN.tagValue() + ": " + description);
                  safeLog(() -> log.warn("shutdown: {}; going on", description));
                  tellFault(DrainPhase.DRAIN, description);
                }
              });
      for (Named<Runnable> action : stopAccepting) {
        guard(
            DrainPhase.STOP_ACCEPTING,
            "stop-accepting action '" + action.name + "'",
            action.value);
      }
      // Every other participant stops accepting at once, each on a thread of its own.
      step = "stop-accepting of the drain participants";
      drain.stopAccepting(min(STOP_ACCEPTING_BOUND, remaining()));
      completed(DrainPhase.STOP_ACCEPTING, t0);

      long t1 = ticker.read();
      long inFlightAtStart = inflight.current();
      Duration drainFor = min(drainTimeout, remaining());
      step = "drain of " + drain.holding();
      if (participants.isEmpty()) {
        log.info(
            "shutdown: draining {} in-flight request(s), for at most {}",
            inFlightAtStart,
            Durations.format(drainFor));
      } else {
        log.info("shutdown: draining {}, for at most {}", drain.holding(), Durations.format(drainFor));
      }
      List<ParticipantReport> reports = drain.await(drainFor);
      // The HTTP participant counts finishes since stop-accepting began rather than a difference
      // of in-flight counts: requests that arrive on kept-alive connections meanwhile and finish
      // in time are drained too.
      long abandoned = reports.get(0).abandoned();
      long drainedCount = reports.get(0).drained();
      // The first report is HTTP's, which the summary line states as requests.
      for (ParticipantReport report : reports.subList(1, reports.size())) {
        log.info("shutdown: drain participant {}", report);
      }
      for (LifecycleListener listener : listeners) {
        for (ParticipantReport report : reports) {
          guard(
              DrainPhase.DRAIN,
              "lifecycle listener " + Failures.name(listener) + " on participant " + report.name(),
              () -> listener.onParticipantDrained(report));
        }
      }
      completed(DrainPhase.DRAIN, t1);

      long t2 = ticker.read();
      List<String> failed = runTasks(tasks);
      failed.addAll(runTasks(lastTasks));
      completed(DrainPhase.SHUTDOWN_TASKS, t2);

      step = "summary";
      ShutdownSummary summary;
      synchronized (phaseDurations) {
        summary =
            new ShutdownSummary(
                phaseDurations,
                Duration.ofNanos(ticker.read() - budgetStart),
                Math.max(0, drainedCount),
                abandoned,
                failed,
                List.copyOf(faults),
                preStopReport,
                reports);
      }
      log.info("{}", summary);
      shutdownDone.complete(summary);
      return summary;
    } catch (RuntimeException | Error e) {
      shutdownDone.completeExceptionally(e);
      throw e;
    }
  }

  /**
   * The last resort: halts the JVM when the sequence (or the exit after it) has not finished half
   * a safety margin after its budget ended, before the kubelet's SIGKILL would, naming the step.
   */
  private void startWatchdog() {
    long deadline = shutdownBudgetStart + gracePeriod.minus(safetyMargin).toNanos() + safetyMargin.toNanos() / 2;
    Runnable watch =
        () -> {
          long left;
          while ((left = deadline - ticker.read()) > 0) {
            LockSupport.parkNanos(Math.min(left, POLL_NANOS));
          }
          if (shutdownDone.isDone() && !exiting) {
            return; // finished, and nobody asked the JVM to exit: nothing hangs
          }
          String hung = step;
          try {
            log.error(
                "shutdown: hung in {}: halting the JVM with exit code {}, {} before the grace"
                    + " period of {} ends",
                hung,
                EXIT_HALTED,
                Durations.format(safetyMargin.dividedBy(2)),
                Durations.format(gracePeriod));
          } catch (Throwable ignored) {
            // Logging itself may be what hangs or fails; the halt matters more than the line.
          } finally {
            Runtime.getRuntime().halt(EXIT_HALTED);
          }
        };
    try {
      Thread watchdog = new Thread(watch, "probekit-shutdown-watchdog");
      watchdog.setDaemon(true);
      watchdog.start();
    } catch (Throwable t) {
      safeLog(() -> log.warn("shutdown: cannot start the watchdog: {}", Failures.describeBriefly(t)));
    }
  }
  @Override
  public Optional<ShutdownSummary> summary() {
    return Optional.ofNullable(shutdownDone.getNow(null));
  }

  private List<String> runTasks(List<Named<ShutdownTask>> toRun) {
    List<String> failed = new ArrayList<>();
    List<Named<ShutdownTask>> reversed = new ArrayList<>(toRun);
    java.util.Collections.reverse(reversed);
    for (Named<ShutdownTask> task : reversed) {
      Duration timeout = min(task.timeout, remaining());
      String what = "shutdown task '" + task.name + "'";
      step = what;
      if (timeout.isZero()) {
        log.warn("shutdown: no time left in the grace period for task '{}'", task.name);
        failed.add(task.name);
        continue;
      }
      long start = ticker.read();
      AtomicBoolean ok = new AtomicBoolean();
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      try {
        Thread runner =
            new Thread(
                () -> {
                  try {
                    task.value.run();
                    ok.set(true);
                  } catch (Throwable e) {
                    // Kept, not rethrown: an Error here would only reach the default handler.
                    thrown.set(e);
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
          String how = "timed out after " + Durations.format(timeout);
          log.warn("shutdown: task '{}' {}", task.name, how);
          failed.add(task.name);
          tellFault(DrainPhase.SHUTDOWN_TASKS, what + " " + how);
        } else if (!ok.get()) {
          Throwable e = thrown.get();
          String how = "threw " + Failures.describeBriefly(e);
          safeLog(() -> log.warn("shutdown: task '{}' failed: {}", task.name, how, Failures.loggable(e)));
          failed.add(task.name);
          tellFault(DrainPhase.SHUTDOWN_TASKS, what + " " + how);
        } else {
          log.info(
              "shutdown: task '{}' done in {}",
              task.name,
              Durations.format(Duration.ofNanos(ticker.read() - start)));
        }
      } catch (Throwable e) {
        // No thread for it (out of memory, or of threads): the task failed, the others still run.
        String how = "could not start: " + Failures.describeBriefly(e);
        safeLog(() -> log.warn("shutdown: task '{}' {}", task.name, how));
        failed.add(task.name);
        tellFault(DrainPhase.SHUTDOWN_TASKS, what + " " + how);
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
      guard(
          phase,
          "lifecycle listener " + Failures.name(listener) + " on " + phase.tagValue(),
          () -> listener.onPhaseCompleted(phase, took));
    }
  }

  /** Runs user code; whatever it throws becomes a {@linkplain #fault fault}, never a stop. */
  private void guard(DrainPhase phase, String what, Runnable call) {
    step = what;
    try {
      call.run();
    } catch (Throwable t) {
      fault(phase, what, t);
    }
  }

  /** Logs a failure of user code once, with its phase; counts it for the summary and listeners. */
  private void fault(DrainPhase phase, String what, Throwable t) {
    String description = what + " threw " + Failures.describeBriefly(t);
    faults.add(phase.tagValue() + ": " + description);
    safeLog(
        () ->
            log.warn(
                "shutdown: {} during {}; going on", description, phase.tagValue(), Failures.loggable(t)));
    tellFault(phase, description);
  }

  private void tellFault(DrainPhase phase, String description) {
    for (LifecycleListener listener : listeners) {
      try {
        listener.onFault(phase, description);
      } catch (Throwable t) {
        // Not a fault of its own: a fault listener that fails on every fault would loop.
        safeLog(
            () ->
                log.warn(
                    "lifecycle listener {} failed on a fault: {}",
                    Failures.name(listener),
                    Failures.describeBriefly(t)));
      }
    }
  }

  /** Logging must not be what stops the sequence (an out-of-memory logger, a broken appender). */
  private static void safeLog(Runnable logging) {
    try {
      logging.run();
    } catch (Throwable ignored) {
      // Nothing left to tell it to; the sequence goes on.
    }
  }

  /** What is left of the budget: grace period minus safety margin, from the first step. */
  private Duration remaining() {
    long budget = gracePeriod.minus(safetyMargin).toNanos();
    long left = budget - (ticker.read() - budgetStart);
    return Duration.ofNanos(Math.max(0, left));
  }

  /**
   * Serves the pre-stop step from {@code start} (readiness DOWN): the fixed delay, or adaptively
   * until traffic has stopped arriving; an interrupt does not cut it short but is preserved.
   */
  private PreStopReport servePreStop(long start, long readinessDownBefore) {
    Duration max = min(preStopDelay, remaining());
    PreStopStep stepper =
        new PreStopStep(start, inflight.started(), preStopMin, max, preStopQuietPeriod);
    // Arrivals are sampled, not timestamped on the request path: the poll bounds the error.
    long poll =
        stepper.adaptive()
            ? Math.max(1_000_000L, Math.min(POLL_NANOS, preStopQuietPeriod.toNanos() / 10))
            : POLL_NANOS;
    if (stepper.adaptive()) {
      log.info(
          "shutdown: serving until no request arrives for {} (at least {}, at most {})",
          Durations.format(preStopQuietPeriod),
          Durations.format(min(preStopMin, max)),
          Durations.format(max));
    } else {
      log.info("shutdown: serving for the pre-stop delay of {}", Durations.format(max));
    }
    boolean interrupted = false;
    while (!stepper.observe(ticker.read(), inflight.started())) {
      LockSupport.parkNanos(stepper.nextWaitNanos(ticker.read(), poll));
      interrupted |= Thread.interrupted();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    PreStopReport report = stepper.report(readinessDownAnswers() - readinessDownBefore);
    log.info("shutdown: {} after readiness DOWN", report);
    if (stepper.stillArriving()) {
      log.warn(
          "shutdown: requests were still arriving {} after readiness DOWN when the pre-stop"
              + " maximum of {} ended the step: the load balancers are slower than that. Raise {}"
              + " (PROBEKIT_SHUTDOWN_PRE_STOP_DELAY) and the grace period with it",
          Durations.format(Duration.ofNanos(stepper.lastArrival())),
          Durations.format(max),
          PRE_STOP_DELAY_PROPERTY);
    }
    return report;
  }

  /** Readiness probes answered 503 so far by {@link ProbeEndpoints} over our health, or 0. */
  private long readinessDownAnswers() {
    return health instanceof ReadinessAnswerCount
        ? ((ReadinessAnswerCount) health).readinessDownAnswers()
        : 0;
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
        + (preStopQuietPeriod.isZero()
            ? ""
            : ", preStopMin="
                + Durations.format(preStopMin)
                + ", preStopQuietPeriod="
                + Durations.format(preStopQuietPeriod))
        + ", drainTimeout="
        + Durations.format(drainTimeout)
        + ", gracePeriod="
        + Durations.format(gracePeriod)
        + ", draining="
        + draining
        + '}';
  }

  /** One pre-stop run: its start, its outcome, and whether it was given up. */
  private static final class PreStopRun {
    final long startedAt;
    /** Claimed by the one caller that runs it; the others join {@link #done}. */
    final AtomicBoolean start = new AtomicBoolean();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    /** Set (under the state lock) when no shutdown followed it within the grace period. */
    volatile boolean resumed;

    PreStopRun(long startedAt) {
      this.startedAt = startedAt;
    }
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
