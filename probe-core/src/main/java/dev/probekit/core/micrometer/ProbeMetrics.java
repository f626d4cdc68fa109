package dev.probekit.core.micrometer;

import dev.probekit.core.CheckResult;
import dev.probekit.core.CheckState;
import dev.probekit.core.HealthListener;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ListenerRegistration;
import dev.probekit.core.Probe;
import dev.probekit.core.Status;
import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.InflightTracker;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.LifecycleListener;
import dev.probekit.core.lifecycle.ParticipantReport;
import dev.probekit.core.lifecycle.PreStopReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Publishes a {@link HealthRegistry} (and optionally a {@link Lifecycle}) as Micrometer meters: a
 * {@link MeterBinder}, so it is used like Micrometer's own binders.
 *
 * <pre>{@code
 * ProbeMetrics metrics = new ProbeMetrics(health, lifecycle);
 * metrics.bindTo(meterRegistry);
 * // ... metrics.close() removes its listeners and every meter again
 * }</pre>
 *
 * <p>In Spring Boot, declare it as a bean (probe-spring's starter does) and Boot binds it to the
 * application's registry, like every {@code MeterBinder} bean.
 *
 * <table>
 *   <caption>Meters (Prometheus names in parentheses)</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>value</th></tr>
 *   <tr><td>{@code probekit.check.status} ({@code probekit_check_status})</td><td>gauge</td>
 *       <td>{@code check}, {@code probe}</td>
 *       <td>1 UP, 0 DOWN, NaN before the check's first status; one per probe of the check</td></tr>
 *   <tr><td>{@code probekit.check.duration} ({@code probekit_check_duration_seconds})</td>
 *       <td>timer</td><td>{@code check}</td><td>every run, a timed-out run counting its timeout</td></tr>
 *   <tr><td>{@code probekit.check.failures} ({@code probekit_check_failures_total})</td>
 *       <td>counter</td><td>{@code check}</td>
 *       <td>runs that failed (DOWN result, exception or timeout), before thresholds</td></tr>
 *   <tr><td>{@code probekit.probe.status} ({@code probekit_probe_status})</td><td>gauge</td>
 *       <td>{@code probe}</td><td>1 when the probe answers 200, else 0</td></tr>
 *   <tr><td>{@code probekit.inflight} ({@code probekit_inflight})</td><td>gauge</td>
 *       <td></td><td>application requests in flight (with a lifecycle)</td></tr>
 *   <tr><td>{@code probekit.shutdown.phase} ({@code probekit_shutdown_phase_seconds})</td>
 *       <td>timer</td><td>{@code phase}</td><td>how long each drain phase took (with a
 *       lifecycle)</td></tr>
 *   <tr><td>{@code probekit.shutdown.faults} ({@code probekit_shutdown_faults_total})</td>
 *       <td>counter</td><td>{@code phase}</td><td>user code that threw or timed out during the
 *       shutdown (actions, listeners, tasks); the sequence went on (with a lifecycle; registered at
 *       a phase's first fault)</td></tr>
 *   <tr><td>{@code probekit.shutdown.prestop.propagation}
 *       ({@code probekit_shutdown_prestop_propagation_seconds})</td><td>timer</td>
 *       <td>{@code ending}</td><td>when the last application request arrived after readiness
 *       turned DOWN: how long the balancers really took (with a lifecycle; at the first pre-stop
 *       step that saw a request)</td></tr>
 *   <tr><td>{@code probekit.shutdown.prestop.arrivals}
 *       ({@code probekit_shutdown_prestop_arrivals_total})</td><td>counter</td>
 *       <td>{@code ending}</td><td>application requests that arrived during the pre-stop step;
 *       {@code ending} is {@code fixed}, {@code quiet}, {@code maximum} or {@code skipped} (with a
 *       lifecycle; at the first pre-stop step)</td></tr>
 *   <tr><td>{@code probekit.drain.drained} ({@code probekit_drain_drained_total})</td>
 *       <td>counter</td><td>{@code participant}</td><td>units of work (requests, tasks, batch
 *       items, streams) a drain participant finished during the drain ({@code http} for requests;
 *       with a lifecycle, at the drain)</td></tr>
 *   <tr><td>{@code probekit.drain.abandoned} ({@code probekit_drain_abandoned_total})</td>
 *       <td>counter</td><td>{@code participant}</td><td>units still in flight at the drain's
 *       deadline, or dropped unrun (with a lifecycle, at the drain)</td></tr>
 *   <tr><td>{@code probekit.shutdown.prestop.readiness.down}
 *       ({@code probekit_shutdown_prestop_readiness_down_total})</td><td>counter</td>
 *       <td>{@code ending}</td><td>readiness probes answered 503 during the pre-stop step: zero
 *       means nothing polled readiness, so no balancer learned of the drain from it (with a
 *       lifecycle; at the first pre-stop step)</td></tr>
 * </table>
 *
 * <p>Checks registered after binding get their meters when registered; an unregistered check's
 * meters are removed from the registry. Nothing is global: the meters live in the registries passed
 * to {@link #bindTo(MeterRegistry)}, and {@link #close()} removes them. Nothing is observed before
 * the first {@code bindTo}: constructing a binder registers no listener.
 *
 * <p>Binding to the same registry again does nothing (events are never counted twice). Binding to
 * a second registry registers the same meters there too, fed by the same listeners, as a
 * composite registry would. After {@link #close()}, {@code bindTo} throws.
 *
 * <p>This is the only class of probe-core that uses Micrometer: {@code micrometer-core} is an
 * optional dependency, needed on the classpath only by applications that call this class.
 */
public final class ProbeMetrics implements MeterBinder, AutoCloseable {

  /** Gauge: 1 when the check is UP, 0 when DOWN, NaN before its first status. */
  public static final String CHECK_STATUS = "probekit.check.status";

  /** Timer: the duration of every run of a check. */
  public static final String CHECK_DURATION = "probekit.check.duration";

  /** Counter: the runs of a check that failed. */
  public static final String CHECK_FAILURES = "probekit.check.failures";

  /** Gauge: 1 when the probe is UP, else 0. */
  public static final String PROBE_STATUS = "probekit.probe.status";

  /** Gauge: application requests in flight. */
  public static final String INFLIGHT = "probekit.inflight";

  /** Timer: the duration of each completed drain phase. */
  public static final String SHUTDOWN_PHASE = "probekit.shutdown.phase";

  /** Timer: the last application request's arrival after readiness DOWN, by how the step ended. */
  public static final String PRE_STOP_PROPAGATION = "probekit.shutdown.prestop.propagation";

  /** Counter: application requests that arrived during the pre-stop step. */
  public static final String PRE_STOP_ARRIVALS = "probekit.shutdown.prestop.arrivals";

  /** Counter: readiness probes answered 503 during the pre-stop step. */
  public static final String PRE_STOP_READINESS_DOWN = "probekit.shutdown.prestop.readiness.down";

  /** Counter: faults of user code during the shutdown, by phase. */
  public static final String SHUTDOWN_FAULTS = "probekit.shutdown.faults";

  /** Counter: units of work a drain participant finished during the drain. */
  public static final String DRAIN_DRAINED = "probekit.drain.drained";

  /** Counter: units of work a drain participant still held at the drain's deadline. */
  public static final String DRAIN_ABANDONED = "probekit.drain.abandoned";

  private final HealthRegistry health;
  private final Lifecycle lifecycle;
  /**
   * Guards {@link #closed}, {@link #bound} and each binding's meters, so that an event racing with
   * {@link #close()} cannot leave a meter behind. HealthRegistry events arrive in order, after the
   * registry has released its lock; nothing here calls into the health while holding this lock.
   */
  private final Object lock = new Object();

  /**
   * Serializes {@link #bindTo(MeterRegistry)} calls, so that a second registry is never seeded
   * before the first call has started listening. Never taken by event callbacks.
   */
  private final Object bindLock = new Object();

  /** One entry per registry bound to, in binding order; emptied by {@link #close()}. */
  private final List<Binding> bound = new ArrayList<>();
  private final Listener listener = new Listener();
  private ListenerRegistration healthRegistration;
  private ListenerRegistration lifecycleRegistration;
  private boolean listening;
  private volatile boolean closed;

  /**
   * A binder for the check and probe meters of {@code health}; {@link #bindTo(MeterRegistry)}
   * registers them and keeps them up to date as checks are registered, run and unregistered.
   *
   * @param health the health to observe
   */
  public ProbeMetrics(HealthRegistry health) {
    this.health = Objects.requireNonNull(health, "health");
    this.lifecycle = null;
  }

  /**
   * {@link #ProbeMetrics(HealthRegistry)}, plus the in-flight gauge, the shutdown phase timers and
   * the drain counters of {@code lifecycle}.
   *
   * @param health the health to observe
   * @param lifecycle the lifecycle whose in-flight requests and drain phases are measured
   */
  public ProbeMetrics(HealthRegistry health, Lifecycle lifecycle) {
    this.health = Objects.requireNonNull(health, "health");
    this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
  }

  /**
   * Registers the meters in {@code registry} and, at the first call, starts observing the health
   * (and the lifecycle). Does nothing when already bound to this registry.
   *
   * @param registry where the meters go
   * @throws IllegalStateException after {@link #close()}
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    synchronized (bindLock) {
      bindOnce(registry);
    }
  }

  private void bindOnce(MeterRegistry registry) {
    Binding binding;
    boolean first;
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("bindTo after close: " + this);
      }
      for (Binding b : bound) {
        if (b.registry == registry) {
          return;
        }
      }
      binding = new Binding(registry);
      bound.add(binding);
      first = !listening;
      listening = true;
    }
    if (first) {
      boolean listens;
      try {
        listens = listen();
      } catch (RuntimeException e) {
        // Such as a closed health refusing listeners: leave nothing behind, so a retry starts over.
        synchronized (lock) {
          bound.remove(binding);
          binding.removeAll();
          listening = false;
        }
        throw e;
      }
      if (!listens) {
        return;
      }
    }
    // Listen first, then add the checks already registered: a check registered in between is
    // seen twice, which addCheck tolerates; one unregistered in between is caught by the re-check.
    for (String name : health.checkNames()) {
      Optional<CheckState> state = health.check(name);
      synchronized (lock) {
        if (!closed) {
          state.ifPresent(binding::addCheck);
        }
      }
      if (health.check(name).isEmpty()) {
        synchronized (lock) {
          binding.removeCheck(name);
        }
      }
    }
  }

  /** Adds the listeners; false (and nothing left behind) when closed meanwhile. */
  private boolean listen() {
    ListenerRegistration h = health.addListener(listener);
    ListenerRegistration l = lifecycle == null ? null : lifecycle.addListener(new PhaseListener());
    synchronized (lock) {
      if (!closed) {
        healthRegistration = h;
        lifecycleRegistration = l;
        return true;
      }
    }
    h.close();
    if (l != null) {
      l.close();
    }
    return false;
  }

  /**
   * Stops observing (removes its health and lifecycle listeners) and removes every meter this
   * binder registered, from every registry it was bound to. Idempotent.
   */
  @Override
  public void close() {
    ListenerRegistration h;
    ListenerRegistration l;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      for (Binding binding : bound) {
        binding.removeAll();
      }
      bound.clear();
      h = healthRegistration;
      l = lifecycleRegistration;
      healthRegistration = null;
      lifecycleRegistration = null;
    }
    if (h != null) {
      h.close();
    }
    if (l != null) {
      l.close();
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "ProbeMetrics{checks="
          + (bound.isEmpty() ? List.of() : bound.get(0).checks.keySet())
          + ", registries="
          + bound.size()
          + (closed ? ", closed" : "")
          + '}';
    }
  }

  /** The meters of this binder in one registry. Every method is called with {@link #lock} held. */
  private final class Binding {
    final MeterRegistry registry;
    final Map<String, CheckMeters> checks = new HashMap<>();
    final List<Meter> fixedMeters = new ArrayList<>();
    final Map<DrainPhase, Timer> phaseTimers = new EnumMap<>(DrainPhase.class);
    final Map<DrainPhase, Counter> faultCounters = new EnumMap<>(DrainPhase.class);

    Binding(MeterRegistry registry) {
      this.registry = registry;
      for (Probe probe : Probe.values()) {
        fixedMeters.add(
            Gauge.builder(PROBE_STATUS, health, h -> h.snapshot(probe).isUp() ? 1 : 0)
                .description("Whether the probe answers 200 (1) or 503 (0)")
                .tag("probe", probe.displayName())
                .strongReference(true)
                .register(registry));
      }
      if (lifecycle != null) {
        fixedMeters.add(
            Gauge.builder(INFLIGHT, lifecycle.inflight(), InflightTracker::current)
                .description("Application requests in flight")
                .strongReference(true)
                .register(registry));
        // Registered up front so that dashboards see every phase, with a count of 0 until it runs.
        for (DrainPhase phase : DrainPhase.values()) {
          Timer timer =
              Timer.builder(SHUTDOWN_PHASE)
                  .description("How long each phase of the graceful shutdown took")
                  .tag("phase", phase.tagValue())
                  .register(registry);
          phaseTimers.put(phase, timer);
          fixedMeters.add(timer);
        }
      }
    }

    void removeAll() {
      for (String name : List.copyOf(checks.keySet())) {
        removeCheck(name);
      }
      for (Meter meter : fixedMeters) {
        registry.remove(meter);
      }
      fixedMeters.clear();
    }

    CheckMeters addCheck(CheckState state) {
      return checks.computeIfAbsent(state.name(), name -> new CheckMeters(registry, state));
    }

    void removeCheck(String name) {
      CheckMeters removed = checks.remove(name);
      if (removed != null) {
        for (Meter meter : removed.meters) {
          registry.remove(meter);
        }
      }
    }

    /** Records the pre-stop evidence; its meters are registered at the first report. */
    void recordPreStop(PreStopReport report) {
      String ending = report.ending().tagValue();
      preStopCounter(
              PRE_STOP_ARRIVALS,
              "Application requests that arrived during the pre-stop step",
              ending)
          .increment(report.arrivals());
      preStopCounter(
              PRE_STOP_READINESS_DOWN,
              "Readiness probes answered 503 during the pre-stop step",
              ending)
          .increment(report.readinessDown());
      report
          .lastArrival()
          .ifPresent(
              last ->
                  keep(
                          Timer.builder(PRE_STOP_PROPAGATION)
                              .description(
                                  "When the last application request arrived after readiness DOWN")
                              .tag("ending", ending)
                              .register(registry))
                      .record(last));
    }

    /** Records one participant's drain; its counters are registered at its first report. */
    void recordParticipant(ParticipantReport report) {
      keep(
              Counter.builder(DRAIN_DRAINED)
                  .description("Units of work a drain participant finished during the drain")
                  .tag("participant", report.name())
                  .register(registry))
          .increment(report.drained());
      keep(
              Counter.builder(DRAIN_ABANDONED)
                  .description(
                      "Units of work a drain participant still held at the drain's deadline")
                  .tag("participant", report.name())
                  .register(registry))
          .increment(report.abandoned());
    }

    /** A pre-stop counter of {@code ending}, registered (and kept for close) at first use. */
    private Counter preStopCounter(String name, String description, String ending) {
      return keep(
          Counter.builder(name).description(description).tag("ending", ending).register(registry));
    }

    /** The fault counter of {@code phase}, registered at its first fault. */
    Counter faultCounter(DrainPhase phase) {
      return faultCounters.computeIfAbsent(
          phase,
          p ->
              keep(
                  Counter.builder(SHUTDOWN_FAULTS)
                      .description(
                          "User code that threw or timed out during the shutdown; it went on")
                      .tag("phase", p.tagValue())
                      .register(registry)));
    }

    /** {@code meter}, remembered for {@link #removeAll()} once. */
    private <M extends Meter> M keep(M meter) {
      if (!fixedMeters.contains(meter)) {
        fixedMeters.add(meter);
      }
      return meter;
    }
  }

  private static double statusValue(Status status) {
    switch (status) {
      case UP:
        return 1;
      case DOWN:
        return 0;
      default:
        return Double.NaN;
    }
  }

  /** The meters of one check in one registry, and the status its gauges read. */
  private static final class CheckMeters {
    final List<Meter> meters = new ArrayList<>();
    final Timer duration;
    final Counter failures;
    volatile double status;

    CheckMeters(MeterRegistry registry, CheckState state) {
      this.status = statusValue(state.status());
      for (Probe probe : state.probes()) {
        meters.add(
            Gauge.builder(CHECK_STATUS, this, m -> m.status)
                .description("Whether the check is UP (1) or DOWN (0); NaN before its first status")
                .tags(Tags.of("check", state.name(), "probe", probe.displayName()))
                .strongReference(true)
                .register(registry));
      }
      this.duration =
          Timer.builder(CHECK_DURATION)
              .description("How long each run of the check took")
              .tag("check", state.name())
              .register(registry);
      this.failures =
          Counter.builder(CHECK_FAILURES)
              .description("Runs of the check that failed, before thresholds")
              .tag("check", state.name())
              .register(registry);
      meters.add(duration);
      meters.add(failures);
    }

    void record(CheckState state) {
      status = statusValue(state.status());
      Optional<CheckResult> last = state.lastResult();
      if (last.isPresent()) {
        Optional<Duration> took = last.get().duration();
        if (took.isPresent()) {
          duration.record(took.get().toNanos(), TimeUnit.NANOSECONDS);
        }
        if (!last.get().isUp()) {
          failures.increment();
        }
      }
    }
  }

  /** Runs {@code action} on every binding, with {@link #lock} held; none once closed. */
  private void eachBinding(Consumer<Binding> action) {
    synchronized (lock) {
      for (Binding binding : bound) {
        action.accept(binding);
      }
    }
  }

  /** Follows registrations, runs and removals; called in order, one event at a time. */
  private final class Listener implements HealthListener {
    @Override
    public void onTransition(String check, CheckState previous, CheckState current) {
      // onResult has already recorded the new status.
    }

    @Override
    public void onRegistered(CheckState initial) {
      eachBinding(binding -> binding.addCheck(initial));
    }

    @Override
    public void onResult(CheckState current) {
      // Recorded outside the lock: results are frequent, and a meter needs no lock of ours.
      List<CheckMeters> meters = new ArrayList<>(1);
      eachBinding(binding -> meters.add(binding.addCheck(current)));
      for (CheckMeters m : meters) {
        m.record(current);
      }
    }

    @Override
    public void onUnregistered(CheckState last) {
      eachBinding(binding -> binding.removeCheck(last.name()));
    }

    @Override
    public String toString() {
      return "ProbeMetrics.Listener";
    }
  }

  /** Follows the drain; its events are rare, so they are recorded with {@link #lock} held. */
  private final class PhaseListener implements LifecycleListener {
    @Override
    public void onPhaseCompleted(DrainPhase phase, Duration took) {
      eachBinding(binding -> binding.phaseTimers.get(phase).record(took));
    }

    @Override
    public void onFault(DrainPhase phase, String description) {
      eachBinding(binding -> binding.faultCounter(phase).increment());
    }

    @Override
    public void onPreStopEnded(PreStopReport report) {
      eachBinding(binding -> binding.recordPreStop(report));
    }

    @Override
    public void onParticipantDrained(ParticipantReport report) {
      eachBinding(binding -> binding.recordParticipant(report));
    }

    @Override
    public String toString() {
      return "ProbeMetrics.LifecycleListener";
    }
  }
}
