package dev.probekit.core;

import dev.probekit.core.internal.DaemonThreadFactory;
import dev.probekit.core.internal.Durations;
import dev.probekit.core.internal.Failures;
import dev.probekit.core.internal.ReadinessAnswerCount;
import dev.probekit.core.internal.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link HealthRegistry}.
 *
 * <p>Runs flow like this, per check:
 *
 * <pre>
 *   scheduler: tick ──(not running?)──> executor: run check ──> applyResult ──> rebuild snapshots
 *                 └──> schedule timeout ──(run not applied yet)──> applyResult(DOWN "timed out")
 *                                                                  └──> interrupt the runner
 *                 └──> schedule next tick (interval minus jitter)
 * </pre>
 *
 * Each run has an id; whichever of completion and timeout is applied first wins, the other is
 * dropped. The {@code running} flag is only cleared when the check's code returns, so a check that
 * ignores interrupts is never started again while it hangs: it holds one thread and stays DOWN.
 * Every tick that finds a timed-out run still hanging records one more failure, so a hung check
 * reaches its failure threshold like a check that keeps timing out.
 */
final class DefaultHealthRegistry implements HealthRegistry, ReadinessAnswerCount {
  private static final Logger log = LoggerFactory.getLogger(HealthRegistry.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final Duration defaultInterval;
  private final Duration defaultTimeout;
  private final double jitter;
  private final Ticker ticker;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final ExecutorService checkExecutor;
  private final boolean ownsCheckExecutor;

  private final Object lock = new Object();
  /** Guarded by {@link #lock}; iteration order is registration order. */
  private final Map<String, CheckSlot> slots = new LinkedHashMap<>();
  /** Guarded by {@link #lock}. */
  private boolean closed;

  private final Map<Probe, ManualOverride> overrides = new EnumMap<>(Probe.class);
  private final List<HealthListener> listeners = new CopyOnWriteArrayList<>();
  private final List<ProbeListener> probeListeners = new CopyOnWriteArrayList<>();
  /**
   * Listener calls queued under the lock and made after it is released, in order, by one thread at
   * a time: a slow listener then holds up the listener calls queued behind it, never the lock, so
   * probes, check results and overrides go on changing meanwhile.
   */
  private final ConcurrentLinkedQueue<Runnable> events = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean delivering = new AtomicBoolean();

  // Written under the lock, read without it: the probe hot path is one volatile read.
  private volatile ProbeSnapshot liveness;
  private volatile ProbeSnapshot readiness;
  private volatile ProbeSnapshot startup;
  private volatile ProbeSnapshot overall;

  /**
   * Readiness probes answered 503 by {@link ProbeEndpoints}, ever: the lifecycle takes the
   * difference across its pre-stop step. A LongAdder, so the probe path adds one uncontended
   * increment and no lock.
   */
  final LongAdder readinessDownAnswers = new LongAdder();

  @Override
  public long readinessDownAnswers() {
    return readinessDownAnswers.sum();
  }

  DefaultHealthRegistry(HealthRegistry.Builder b) {
    this.defaultInterval = b.defaultInterval;
    this.defaultTimeout = b.defaultTimeout;
    this.jitter = b.jitter;
    this.ticker = b.ticker;
    this.clock = b.clock;
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.ownsScheduler = false;
    } else {
      ScheduledThreadPoolExecutor stpe =
          new ScheduledThreadPoolExecutor(1, new DaemonThreadFactory("probekit-scheduler"));
      stpe.setRemoveOnCancelPolicy(true);
      this.scheduler = stpe;
      this.ownsScheduler = true;
    }
    if (b.checkExecutor != null) {
      this.checkExecutor = b.checkExecutor;
      this.ownsCheckExecutor = false;
    } else {
      // No queue: every run starts at once on an idle or new thread. Single-flight per check
      // bounds the pool at one thread per registered check; idle threads leave after 30 s.
      this.checkExecutor =
          new ThreadPoolExecutor(
              0,
              Integer.MAX_VALUE,
              30,
              TimeUnit.SECONDS,
              new SynchronousQueue<>(),
              new DaemonThreadFactory("probekit-check"));
      this.ownsCheckExecutor = true;
    }
    for (Probe probe : Probe.values()) {
      overrides.put(probe, new ManualOverride(probe));
    }
    synchronized (lock) {
      rebuild(EnumSet.allOf(Probe.class));
    }
  }

  @Override
  public void register(String name, HealthCheck check, CheckOptions options) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(options, "options");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name: '" + name + "' (expected: 1-64 of [A-Za-z0-9._-], starting with a letter or digit)");
    }
    CheckSlot slot =
        new CheckSlot(
            name,
            check,
            options,
            options.interval().orElse(defaultInterval),
            options.timeout().orElse(defaultTimeout),
            options.initialDelay().orElse(Duration.ZERO));
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("HealthRegistry is closed");
      }
      if (slots.containsKey(name)) {
        throw new IllegalArgumentException("name: '" + name + "' (expected: not yet registered)");
      }
      slots.put(name, slot);
      rebuild(options.probes());
      CheckState initial = slot.state;
      tellListeners(name, l -> l.onRegistered(initial));
      schedule(slot, slot.initialDelay.toNanos());
    }
    deliverEvents();
    if (check.isRemote() && options.probes().contains(Probe.LIVENESS)) {
      log.warn(
          "check '{}' reaches other systems but is registered on LIVENESS: when that system is"
              + " down, every pod restarts at once. Register it on READINESS instead.",
          name);
    }
    log.debug("registered check '{}' with {}", name, options);
  }

  @Override
  public boolean unregister(String name) {
    CheckSlot slot;
    synchronized (lock) {
      slot = slots.remove(name);
      if (slot == null) {
        return false;
      }
      slot.removed = true;
      rebuild(slot.options.probes());
      CheckState last = slot.state;
      tellListeners(name, l -> l.onUnregistered(last));
    }
    deliverEvents();
    slot.cancel();
    log.debug("unregistered check '{}'", name);
    return true;
  }

  @Override
  public List<String> checkNames() {
    synchronized (lock) {
      return List.copyOf(slots.keySet());
    }
  }

  @Override
  public Optional<CheckState> check(String name) {
    synchronized (lock) {
      CheckSlot slot = slots.get(name);
      return slot == null ? Optional.empty() : Optional.of(slot.state);
    }
  }

  @Override
  public ProbeSnapshot snapshot(Probe probe) {
    switch (probe) {
      case LIVENESS:
        return liveness;
      case READINESS:
        return readiness;
      case STARTUP:
        return startup;
      default:
        throw new IllegalArgumentException("probe: " + probe);
    }
  }

  @Override
  public ProbeSnapshot overall() {
    return overall;
  }

  @Override
  public ProbeOverride override(Probe probe) {
    return overrides.get(Objects.requireNonNull(probe, "probe"));
  }

  @Override
  public ListenerRegistration addListener(HealthListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> removeListener(listener);
  }

  @Override
  public void removeListener(HealthListener listener) {
    listeners.remove(listener);
  }

  @Override
  public ListenerRegistration addProbeListener(ProbeListener listener) {
    probeListeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> removeProbeListener(listener);
  }

  @Override
  public void removeProbeListener(ProbeListener listener) {
    probeListeners.remove(listener);
  }

  @Override
  public void close() {
    List<CheckSlot> removed;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      removed = new ArrayList<>(slots.values());
      for (CheckSlot slot : removed) {
        slot.removed = true;
      }
    }
    for (CheckSlot slot : removed) {
      slot.cancel();
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
    if (ownsCheckExecutor) {
      checkExecutor.shutdownNow();
    }
  }

  // ---- evaluation ----

  private void schedule(CheckSlot slot, long delayNanos) {
    if (slot.removed) {
      return;
    }
    try {
      slot.nextTick = scheduler.schedule(() -> tick(slot), delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      if (!slot.removed) {
        log.warn("cannot schedule check '{}': scheduler rejected it", slot.name);
      }
    }
  }

  private void tick(CheckSlot slot) {
    if (slot.removed) {
      return;
    }
    try {
      if (slot.running.compareAndSet(false, true)) {
        long runId = slot.startedRuns.incrementAndGet();
        slot.currentRunId = runId;
        ScheduledFuture<?> timeout = null;
        try {
          // The timeout is scheduled before the run starts so that the run can always cancel it.
          timeout =
              scheduler.schedule(
                  () -> timeOut(slot, runId), slot.timeout.toNanos(), TimeUnit.NANOSECONDS);
          slot.runTimeout = timeout;
          checkExecutor.execute(() -> run(slot, runId));
        } catch (RejectedExecutionException e) {
          if (timeout != null) {
            timeout.cancel(false);
          }
          slot.running.set(false);
          if (!slot.removed) {
            applyResult(slot, runId, CheckResult.down("check executor rejected the run"));
          }
        }
      } else if (slot.timedOutRunId == slot.currentRunId) {
        // The previous run timed out and its code has not returned yet. It is not started again;
        // instead this tick counts as one more failed run, so a check that was UP and then hangs
        // still reaches its failure threshold (the timeout alone was a single failure).
        log.debug("check '{}' is still running a timed-out run; not starting another", slot.name);
        applyResult(
            slot,
            slot.startedRuns.incrementAndGet(),
            CheckResult.down("timed out after " + Durations.format(slot.timeout) + "; still running")
                .withTiming(slot.timeout, clock.instant()));
      } else {
        // Slower than the interval but not yet past its timeout: let it finish.
        log.debug("check '{}' is still running; not starting another", slot.name);
      }
    } finally {
      long interval = slot.interval.toNanos();
      long shortenBy =
          jitter == 0 ? 0 : (long) (ThreadLocalRandom.current().nextDouble() * jitter * interval);
      schedule(slot, interval - shortenBy);
    }
  }

  private void run(CheckSlot slot, long runId) {
    boolean timedOutBeforeStart;
    synchronized (slot) {
      slot.runner = Thread.currentThread();
      slot.runnerRunId = runId;
      // On a busy machine the timeout can fire before this thread gets to run. It then found no
      // runner to interrupt, so a check called now would hang unseen; its result is already
      // applied, so the check is not called at all. (timeOut writes timedOutRunId before its own
      // block on the slot: one of the two blocks always sees the other.)
      timedOutBeforeStart = slot.timedOutRunId == runId;
    }
    Throwable fatal = null;
    try {
      if (timedOutBeforeStart) {
        return;
      }
      long start = ticker.read();
      CheckResult result;
      try {
        result = slot.check.check();
        if (result == null) {
          result = CheckResult.down("check returned null");
        }
      } catch (Throwable t) {
        // Any failure is a DOWN with its cause; only a VM error the process cannot survive
        // (OutOfMemoryError, InternalError) is rethrown after being recorded.
        result = CheckResult.down(t);
        if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
          fatal = t;
        }
      }
      long elapsed = Math.max(0, ticker.read() - start);
      applyResult(slot, runId, result.withTiming(Duration.ofNanos(elapsed), clock.instant()));
    } finally {
      synchronized (slot) {
        slot.runner = null;
      }
      ScheduledFuture<?> timeout = slot.runTimeout;
      if (timeout != null) {
        timeout.cancel(false);
      }
      // A timeout may have interrupted us; the pooled thread must not carry it to the next task.
      Thread.interrupted();
      slot.running.set(false);
    }
    if (fatal instanceof Error) {
      throw (Error) fatal;
    }
  }

  private void timeOut(CheckSlot slot, long runId) {
    CheckResult timedOut =
        CheckResult.down("timed out after " + Durations.format(slot.timeout))
            .withTiming(slot.timeout, clock.instant());
    if (applyResult(slot, runId, timedOut)) {
      // Compared by id, not a flag: this may land after the run returned and a new one started.
      slot.timedOutRunId = runId;
      synchronized (slot) {
        if (slot.runner != null && slot.runnerRunId == runId) {
          slot.runner.interrupt();
        }
      }
    }
  }

  /** Applies a run's result unless that run was already applied; returns whether it was. */
  private boolean applyResult(CheckSlot slot, long runId, CheckResult result) {
    boolean applied = applyResultLocked(slot, runId, result);
    deliverEvents();
    return applied;
  }

  private boolean applyResultLocked(CheckSlot slot, long runId, CheckResult result) {
    synchronized (lock) {
      if (slot.removed || runId <= slot.appliedRunId) {
        return false;
      }
      slot.appliedRunId = runId;
      CheckState previous = slot.state;
      Status next = slot.nextStatus(result);
      slot.state = previous.next(next, result);
      rebuild(slot.options.probes());
      CheckState current = slot.state;
      tellListeners(slot.name, l -> l.onResult(current));
      if (next != previous.status()) {
        logTransition(slot, previous.status(), next, result);
        tellListeners(slot.name, l -> l.onTransition(slot.name, previous, current));
      } else if (log.isDebugEnabled()) {
        log.debug("check '{}' still {}: {}", slot.name, next, result);
      }
      return true;
    }
  }

  /**
   * Queues a call of every health listener registered now; {@link #deliverEvents()} makes it,
   * logging (not propagating) what they throw. Call with the lock held.
   */
  private void tellListeners(String check, Consumer<HealthListener> call) {
    for (HealthListener listener : listeners) {
      events.add(
          () -> {
            // Removed meanwhile: a closed registration gets no call that had not yet started.
            if (listeners.contains(listener)) {
              try {
                call.accept(listener);
              } catch (Throwable t) {
                rethrowIfFatal(t);
                log.warn(
                    "health listener {} failed on check '{}': {}",
                    Failures.name(listener),
                    check,
                    Failures.describe(t),
                    Failures.loggable(t));
              }
            }
          });
    }
  }

  /**
   * Makes the queued listener calls, in order, unless another thread is making them (it then makes
   * ours too). Call with the lock released.
   */
  private void deliverEvents() {
    VirtualMachineError fatal = null;
    while (!events.isEmpty()) {
      if (!delivering.compareAndSet(false, true)) {
        // Another thread (or this one, from inside a listener) is delivering and will see ours.
        break;
      }
      try {
        Runnable event;
        while ((event = events.poll()) != null) {
          try {
            event.run();
          } catch (VirtualMachineError e) {
            // The only failure an event lets out (see rethrowIfFatal). The listeners after it
            // still hear their events; the error is rethrown once they have.
            if (fatal == null) {
              fatal = e;
            } else if (fatal != e) {
              fatal.addSuppressed(e);
            }
          }
        }
      } finally {
        delivering.set(false);
      }
      // Re-check: an event queued after our last poll and before the reset would otherwise wait.
    }
    if (fatal != null) {
      throw fatal;
    }
  }

  private static void logTransition(CheckSlot slot, Status from, Status to, CheckResult result) {
    // The message is the check's own text: masked and kept on one line before it is logged.
    String reason = Failures.clean(result.message().orElse(result.isUp() ? "ok" : "failed"));
    log.info("check '{}' {} {} -> {}: {}", slot.name, slot.options.probes(), from, to, reason);
  }

  // ---- snapshots ----

  /** Rebuilds the snapshots of {@code affected} and the overall one. Call with the lock held. */
  private void rebuild(Set<Probe> affected) {
    var now = clock.instant();
    List<ProbeSnapshot> changed = null;
    for (Probe probe : affected) {
      List<CheckState> states = new ArrayList<>();
      boolean up = true;
      for (CheckSlot slot : slots.values()) {
        if (slot.options.probes().contains(probe)) {
          states.add(slot.state);
          up &= slot.state.passes(probe);
        }
      }
      String overrideReason = overrides.get(probe).reason;
      Status status = up && overrideReason == null ? Status.UP : Status.DOWN;
      ProbeSnapshot snapshot =
          new ProbeSnapshot(probe, status, states, overrideReason, now, List.of());
      ProbeSnapshot previous = snapshot(probe);
      switch (probe) {
        case LIVENESS:
          liveness = snapshot;
          break;
        case READINESS:
          readiness = snapshot;
          break;
        default:
          startup = snapshot;
          break;
      }
      if (previous != null && previous.status() != status) {
        if (changed == null) {
          changed = new ArrayList<>(4);
        }
        changed.add(previous);
        changed.add(snapshot);
      }
    }
    List<CheckState> all = new ArrayList<>(slots.size());
    for (CheckSlot slot : slots.values()) {
      all.add(slot.state);
    }
    List<ProbeSnapshot> parts = List.of(liveness, readiness, startup);
    boolean up = liveness.isUp() && readiness.isUp() && startup.isUp();
    overall = new ProbeSnapshot(null, up ? Status.UP : Status.DOWN, all, null, now, parts);
    // Told only now, so a listener that reads overall() (a long-poll watcher of /healthz) sees
    // the view that includes the change.
    if (changed != null) {
      for (int i = 0; i < changed.size(); i += 2) {
        notifyProbeListeners(changed.get(i), changed.get(i + 1));
      }
    }
  }

  /**
   * Why a probe is DOWN, for its transition line: " (held: shutting down)" for an override, or
   * " (failing: db, cache)" naming the required checks that are not UP (their own lines give the
   * reasons). Empty when UP.
   */
  private static String because(ProbeSnapshot snapshot) {
    if (snapshot.isUp()) {
      return "";
    }
    Optional<String> held = snapshot.overrideReason();
    if (held.isPresent()) {
      return " (held: " + Failures.clean(held.get()) + ")";
    }
    StringJoiner failing = new StringJoiner(", ", " (failing: ", ")");
    for (CheckState c : snapshot.checks()) {
      if (c.required() && c.status() != Status.UP) {
        failing.add(c.name());
      }
    }
    return failing.toString();
  }

  private void notifyProbeListeners(ProbeSnapshot previous, ProbeSnapshot current) {
    log.info(
        "{} probe {} -> {}{}", current.name(), previous.status(), current.status(), because(current));
    for (ProbeListener listener : probeListeners) {
      events.add(
          () -> {
            if (probeListeners.contains(listener)) {
              try {
                listener.onProbeChange(previous, current);
              } catch (Throwable t) {
                rethrowIfFatal(t);
                log.warn(
                    "probe listener {} failed on {}: {}",
                    Failures.name(listener),
                    current.name(),
                    Failures.describe(t),
                    Failures.loggable(t));
              }
            }
          });
    }
  }

  /**
   * A listener's failure, an AssertionError included, must not stop the evaluation or the other
   * listeners; only a VM error the process cannot survive is let through.
   */
  private static void rethrowIfFatal(Throwable t) {
    if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
      throw (VirtualMachineError) t;
    }
  }

  /** One registered check and its evaluation state. */
  private static final class CheckSlot {
    final String name;
    final HealthCheck check;
    final CheckOptions options;
    final Duration interval;
    final Duration timeout;
    final Duration initialDelay;
    /** Set while the check's code runs; only the run itself clears it. */
    final AtomicBoolean running = new AtomicBoolean();
    final AtomicLong startedRuns = new AtomicLong();
    volatile boolean removed;
    volatile ScheduledFuture<?> nextTick;
    /** The pending timeout of the current run; the run cancels it when it returns. */
    volatile ScheduledFuture<?> runTimeout;
    /** The id of the run that holds {@link #running}. */
    volatile long currentRunId;
    /** The id of the last run that timed out; equal to currentRunId while that run hangs. */
    volatile long timedOutRunId = -1;

    // Guarded by DefaultHealthRegistry.lock.
    CheckState state;
    long appliedRunId;
    int consecutiveSuccesses;
    int consecutiveFailures;

    // Guarded by this slot's monitor: which thread to interrupt on a timeout.
    Thread runner;
    long runnerRunId;

    CheckSlot(
        String name,
        HealthCheck check,
        CheckOptions options,
        Duration interval,
        Duration timeout,
        Duration initialDelay) {
      this.name = name;
      this.check = check;
      this.options = options;
      this.interval = interval;
      this.timeout = timeout;
      this.initialDelay = initialDelay;
      this.state = CheckState.unknown(name, options);
    }

    /** Applies the kubelet's thresholds: the status flips after N consecutive results. */
    Status nextStatus(CheckResult result) {
      Status current = state.status();
      if (result.isUp()) {
        consecutiveSuccesses++;
        consecutiveFailures = 0;
        return current != Status.UP && consecutiveSuccesses >= options.successThreshold()
            ? Status.UP
            : current;
      }
      consecutiveFailures++;
      consecutiveSuccesses = 0;
      return current != Status.DOWN && consecutiveFailures >= options.failureThreshold()
          ? Status.DOWN
          : current;
    }

    void cancel() {
      ScheduledFuture<?> tick = nextTick;
      if (tick != null) {
        tick.cancel(false);
      }
      synchronized (this) {
        if (runner != null) {
          runner.interrupt();
        }
      }
    }
  }

  /** A probe's manual override; changes rebuild the probe's snapshot at once. */
  private final class ManualOverride implements ProbeOverride {
    private final Probe probe;
    /** Written under the lock. */
    volatile String reason;

    ManualOverride(Probe probe) {
      this.probe = probe;
    }

    @Override
    public Probe probe() {
      return probe;
    }

    @Override
    public void down(String reason) {
      Objects.requireNonNull(reason, "reason");
      synchronized (lock) {
        if (reason.equals(this.reason)) {
          return;
        }
        this.reason = reason;
        rebuild(EnumSet.of(probe));
      }
      deliverEvents();
      log.info("{} probe held DOWN: {}", probe.displayName(), Failures.clean(reason));
    }

    @Override
    public void clear() {
      synchronized (lock) {
        if (reason == null) {
          return;
        }
        reason = null;
        rebuild(EnumSet.of(probe));
      }
      deliverEvents();
      log.info("{} probe override cleared", probe.displayName());
    }

    @Override
    public Optional<String> reason() {
      return Optional.ofNullable(reason);
    }

    @Override
    public String toString() {
      return "ProbeOverride{" + probe + (reason == null ? "" : ", down: " + reason) + '}';
    }
  }
}
