package dev.probekit.core;

import dev.probekit.core.internal.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The hub: a registry of checks, the background scheduler that runs them, and the snapshots that
 * probes are served from.
 *
 * <pre>{@code
 * HealthRegistry health = HealthRegistry.builder().build();
 * health.register("db", () -> pool.ping() ? CheckResult.up() : CheckResult.down("no ping"),
 *     CheckOptions.of(Probe.READINESS));
 * ProbeSnapshot readiness = health.snapshot(Probe.READINESS);
 * }</pre>
 *
 * <p>Each check runs on its own interval, with its own timeout, on a small pool of daemon threads;
 * a check is never run twice at once, so a hung check holds at most one thread. Reading a snapshot
 * never runs or waits for a check. All methods are thread-safe; checks may be registered and
 * unregistered while probes are served.
 *
 * <p>Close it when the service stops; closing cancels every schedule and interrupts running
 * checks.
 */
public interface HealthRegistry extends AutoCloseable {

  /** Default interval between runs of a check: 10 s. */
  Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  /** Default timeout of one run of a check: 2 s. */
  Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  /** Default jitter: each interval is shortened by a random 0 to 10%. */
  double DEFAULT_JITTER = 0.1;

  /**
   * A builder with every default.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Registers a check and schedules its first run after its initial delay. Until it has a status,
   * the check is {@link Status#UNKNOWN}.
   *
   * <p>Logs a warning when a {@linkplain HealthCheck#isRemote() remote} check is registered on
   * {@link Probe#LIVENESS}.
   *
   * @param name 1 to 64 characters from {@code [A-Za-z0-9._-]}, starting with a letter or digit;
   *     unique within this {@code HealthRegistry}
   * @param check the check
   * @param options its probes, schedule and thresholds
   * @throws IllegalArgumentException if the name is invalid or already registered
   * @throws IllegalStateException if this {@code HealthRegistry} is closed
   */
  void register(String name, HealthCheck check, CheckOptions options);

  /**
   * Removes a check; a run in progress is interrupted and its result discarded.
   *
   * @param name the check's name
   * @return whether a check of that name was registered
   */
  boolean unregister(String name);

  /**
   * The names of the registered checks, in registration order.
   *
   * @return the names; a copy, not updated by later changes
   */
  List<String> checkNames();

  /**
   * The current state of a check.
   *
   * @param name the check's name
   * @return its state, or empty if no check of that name is registered
   */
  Optional<CheckState> check(String name);

  /**
   * The current snapshot of a probe: a volatile read, never blocking.
   *
   * @param probe the probe
   * @return the probe's latest snapshot
   */
  ProbeSnapshot snapshot(Probe probe);

  /**
   * The current snapshot of every check ({@code /healthz}): UP when all three probes are UP.
   *
   * @return the snapshot over all checks
   */
  ProbeSnapshot overall();

  /**
   * The manual override of a probe.
   *
   * @param probe the probe
   * @return the probe's override, the same object on every call
   */
  ProbeOverride override(Probe probe);

  /**
   * {@code override(Probe.LIVENESS)}.
   *
   * @return the liveness probe's override
   */
  default ProbeOverride liveness() {
    return override(Probe.LIVENESS);
  }

  /**
   * {@code override(Probe.READINESS)}.
   *
   * @return the readiness probe's override
   */
  default ProbeOverride readiness() {
    return override(Probe.READINESS);
  }

  /**
   * {@code override(Probe.STARTUP)}.
   *
   * @return the startup probe's override
   */
  default ProbeOverride startup() {
    return override(Probe.STARTUP);
  }

  /**
   * Adds a listener for check transitions. Listeners are called after the registry's lock is
   * released, one event at a time in the order the changes happened, so a slow listener delays
   * other listeners' calls but no status change; what a listener throws is logged at WARN.
   *
   * @param listener called once per effective status change of any check
   * @return closing it removes the listener, like {@link #removeListener(HealthListener)}
   */
  ListenerRegistration addListener(HealthListener listener);

  /**
   * Removes a listener added by {@link #addListener(HealthListener)}.
   *
   * @param listener the listener
   */
  void removeListener(HealthListener listener);

  /**
   * Adds a listener for probe status changes, called as described in {@link
   * #addListener(HealthListener)}.
   *
   * @param listener called once per status change of any probe
   * @return closing it removes the listener, like {@link #removeProbeListener(ProbeListener)}
   */
  ListenerRegistration addProbeListener(ProbeListener listener);

  /**
   * Removes a listener added by {@link #addProbeListener(ProbeListener)}.
   *
   * @param listener the listener
   */
  void removeProbeListener(ProbeListener listener);

  /**
   * Stops every schedule, interrupts running checks and shuts down the executors this {@code
   * HealthRegistry} created (not those passed to its builder). Idempotent. Snapshots stay readable.
   */
  @Override
  void close();

  /** Builds a {@link HealthRegistry}. Each setter checks its argument at once. */
  final class Builder {
    Duration defaultInterval = DEFAULT_INTERVAL;
    Duration defaultTimeout = DEFAULT_TIMEOUT;
    double jitter = DEFAULT_JITTER;
    Ticker ticker = Ticker.system();
    Clock clock = Clock.systemUTC();
    ScheduledExecutorService scheduler;
    ExecutorService checkExecutor;

    Builder() {}

    /**
     * Interval for checks whose options set none; default {@link #DEFAULT_INTERVAL}.
     *
     * @param interval the interval, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code interval} is not positive
     */
    public Builder defaultInterval(Duration interval) {
      this.defaultInterval = positive("defaultInterval", interval);
      return this;
    }

    /**
     * Timeout for checks whose options set none; default {@link #DEFAULT_TIMEOUT}.
     *
     * @param timeout the timeout, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public Builder defaultTimeout(Duration timeout) {
      this.defaultTimeout = positive("defaultTimeout", timeout);
      return this;
    }

    /**
     * The fraction, from 0 to 0.5, by which each interval is randomly shortened so that checks
     * registered together drift apart; default {@link #DEFAULT_JITTER}. The first run is never
     * delayed by jitter.
     *
     * @param jitter the fraction, 0 for none
     * @return this builder
     * @throws IllegalArgumentException if {@code jitter} is outside 0 to 0.5
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0 && jitter <= 0.5)) {
        throw new IllegalArgumentException("jitter: " + jitter + " (expected: 0..0.5)");
      }
      this.jitter = jitter;
      return this;
    }

    /**
     * The ticker that measures run durations; default {@link Ticker#system()}. A test hook, so
     * package-private: tests in this package inject time; applications have no reason to.
     *
     * @param ticker the ticker
     * @return this builder
     */
    Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * The clock that stamps results and snapshots; default {@link Clock#systemUTC()}. A test hook,
     * package-private like {@link #ticker(Ticker)}.
     *
     * @param clock the clock
     * @return this builder
     */
    Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The scheduler that times runs and timeouts; default a single daemon thread owned by the
     * {@code HealthRegistry}. A scheduler given here is not shut down by {@link HealthRegistry#close()}.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * The executor that runs checks; default a pool of daemon threads that grows to at most one
     * thread per registered check (a check never runs twice at once) and shrinks when idle. It
     * must not queue runs behind hung ones: a bounded pool that is full makes the waiting checks
     * time out. An executor given here is not shut down by {@link HealthRegistry#close()}.
     *
     * @param checkExecutor the executor
     * @return this builder
     */
    public Builder checkExecutor(ExecutorService checkExecutor) {
      this.checkExecutor = Objects.requireNonNull(checkExecutor, "checkExecutor");
      return this;
    }

    /**
     * Builds the {@link HealthRegistry}; no check runs until one is registered.
     *
     * @return the new {@code HealthRegistry}, open
     */
    public HealthRegistry build() {
      return new DefaultHealthRegistry(this);
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isZero() || value.isNegative()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
      return value;
    }
  }
}
