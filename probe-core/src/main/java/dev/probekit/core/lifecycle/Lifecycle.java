package dev.probekit.core.lifecycle;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ListenerRegistration;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.internal.Arguments;
import dev.probekit.core.internal.Durations;
import dev.probekit.core.internal.Settings;
import dev.probekit.core.internal.Ticker;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The graceful shutdown sequence that loses no request during a rolling update; see {@link
 * DrainPhase} for its steps.
 *
 * <pre>{@code
 * Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofSeconds(5)).build();
 * lifecycle.onStopAccepting("app-server", () -> appServer.stop(0));
 * lifecycle.addShutdownTask("pool", Duration.ofSeconds(2), pool::close);
 * lifecycle.installSignalHandler(); // SIGTERM and SIGINT now drain, then exit 0
 * }</pre>
 *
 * <p>Servers and adapters call {@link #inflight()} around each application request, add {@code
 * Connection: close} while {@link #isDraining()}, and register how to stop accepting. The whole
 * sequence runs within {@link Builder#gracePeriod(Duration)} minus {@link
 * Builder#safetyMargin(Duration)}.
 *
 * <p>Thread-safe. Every step runs at most once: {@link #preStop()} followed by {@link #shutdown()},
 * or a second SIGTERM, continues or joins the sequence already under way.
 *
 * <p>A service still starting (readiness DOWN when the sequence starts, and never yet UP on the
 * strength of a readiness check; for example while it waits for its dependencies) cannot be in
 * any load balancer, so its sequence skips the pre-stop delay and goes straight to the stop steps.
 *
 * <p>Settings come from code or, with {@link Builder#fromEnvironment()}, from system properties
 * and environment variables such as {@value #PRE_STOP_DELAY_PROPERTY} / {@code
 * PROBEKIT_SHUTDOWN_PRE_STOP_DELAY}.
 */
public interface Lifecycle {

  /** Default pre-stop delay: 5 s. */
  Duration DEFAULT_PRE_STOP_DELAY = Duration.ofSeconds(5);

  /**
   * Default least duration of an adaptive pre-stop step: 2 s. A pod behind kube-proxy gets no
   * request that could tell it traffic has moved, yet each node's kube-proxy must still learn of
   * the removed endpoint and reprogram its rules (its minimum sync period is 1 s by default); 2 s
   * covers that in a healthy cluster. Applies only with a {@linkplain
   * Builder#preStopQuietPeriod(Duration) quiet period}.
   */
  Duration DEFAULT_PRE_STOP_MIN = Duration.ofSeconds(2);

  /**
   * Default quiet period of the pre-stop step: zero, the fixed {@linkplain
   * Builder#preStopDelay(Duration) pre-stop delay} of earlier releases. Set it (1 s is a good
   * start) to end the step as soon as no application request has arrived for that long.
   */
  Duration DEFAULT_PRE_STOP_QUIET_PERIOD = Duration.ZERO;

  /** Default drain timeout: 20 s. */
  Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(20);

  /** Default grace period: 30 s, Kubernetes' default {@code terminationGracePeriodSeconds}. */
  Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(30);

  /** Default safety margin kept free at the end of the grace period: 2 s. */
  Duration DEFAULT_SAFETY_MARGIN = Duration.ofSeconds(2);

  /**
   * Exit status after a signal when the sequence finished clean ({@link ShutdownSummary#isClean()}):
   * 0.
   */
  int EXIT_CLEAN = 0;

  /**
   * Exit status after a signal when the sequence finished but lost something: a request abandoned
   * at the drain deadline, a shutdown task that failed or timed out, or a fault of other user code
   * (the summary line says which): 70, {@code EX_SOFTWARE} of sysexits.h.
   */
  int EXIT_DEGRADED = 70;

  /**
   * Exit status when the last-resort watchdog halts a sequence that did not finish (a step hung,
   * or the JVM's exit did): 124, as {@code timeout(1)} uses. The watchdog fires half a safety
   * margin after the sequence's budget (grace period minus safety margin) ends, so still before
   * the kubelet's SIGKILL, and logs one ERROR line naming the step that hung.
   */
  int EXIT_HALTED = 124;

  /**
   * Default interval between the drain's progress lines (one line naming each participant and
   * what it still holds): 5 s.
   */
  Duration DEFAULT_DRAIN_PROGRESS_INTERVAL = Duration.ofSeconds(5);

  /** Default timeout of a shutdown task: 5 s. */
  Duration DEFAULT_TASK_TIMEOUT = Duration.ofSeconds(5);

  /**
   * The setting for {@link Builder#preStopDelay(Duration)}: system property {@value}, environment
   * variable {@code PROBEKIT_SHUTDOWN_PRE_STOP_DELAY}.
   */
  String PRE_STOP_DELAY_PROPERTY = "probekit.shutdown.pre-stop-delay";

  /**
   * The setting for {@link Builder#preStopMin(Duration)}: system property {@value}, environment
   * variable {@code PROBEKIT_SHUTDOWN_PRE_STOP_MIN}.
   */
  String PRE_STOP_MIN_PROPERTY = "probekit.shutdown.pre-stop-min";

  /**
   * The setting for {@link Builder#preStopQuietPeriod(Duration)}: system property {@value},
   * environment variable {@code PROBEKIT_SHUTDOWN_PRE_STOP_QUIET_PERIOD}.
   */
  String PRE_STOP_QUIET_PERIOD_PROPERTY = "probekit.shutdown.pre-stop-quiet-period";

  /**
   * The setting for {@link Builder#drainTimeout(Duration)}: system property {@value}, environment
   * variable {@code PROBEKIT_SHUTDOWN_DRAIN_TIMEOUT}.
   */
  String DRAIN_TIMEOUT_PROPERTY = "probekit.shutdown.drain-timeout";

  /**
   * The setting for {@link Builder#gracePeriod(Duration)}: system property {@value}, environment
   * variable {@code PROBEKIT_SHUTDOWN_GRACE_PERIOD}.
   */
  String GRACE_PERIOD_PROPERTY = "probekit.shutdown.grace-period";

  /**
   * The setting for {@link Builder#safetyMargin(Duration)}: system property {@value}, environment
   * variable {@code PROBEKIT_SHUTDOWN_SAFETY_MARGIN}.
   */
  String SAFETY_MARGIN_PROPERTY = "probekit.shutdown.safety-margin";

  /**
   * A builder for the lifecycle of {@code health}.
   *
   * @param health whose readiness the sequence drops
   * @return a new builder
   */
  static Builder builder(HealthRegistry health) {
    return new Builder(health);
  }

  /** {@return the tracker of application requests in flight; adapters count into it} */
  InflightTracker inflight();

  /** {@return the configured pre-stop delay: the maximum of an adaptive pre-stop step} */
  Duration preStopDelay();

  /** {@return the configured least duration of an adaptive pre-stop step} */
  Duration preStopMin();

  /** {@return the configured quiet period of the pre-stop step; zero for the fixed delay} */
  Duration preStopQuietPeriod();

  /** {@return the configured drain timeout: the longest wait for in-flight requests} */
  Duration drainTimeout();

  /** {@return the configured grace period; the sequence ends a safety margin before it} */
  Duration gracePeriod();

  /**
   * {@return whether the sequence has started: responses should now carry {@code Connection:
   * close}}
   */
  boolean isDraining();

  /**
   * {@return the last phase that completed, or empty before the sequence starts (and again after a
   * pre-stop run that no shutdown followed was given up)}
   */
  Optional<DrainPhase> lastCompletedPhase();

  /**
   * Registers an action that stops a server accepting connections, run at {@link
   * DrainPhase#STOP_ACCEPTING}. Actions run in registration order; one that throws is logged and
   * the others still run.
   *
   * @param name for logs
   * @param action closes a listener; should return quickly
   */
  void onStopAccepting(String name, Runnable action);

  /**
   * Registers a task run at {@link DrainPhase#SHUTDOWN_TASKS}, after the drain. Tasks run in
   * reverse registration order, so register a server before what it uses, and the probe server
   * first of all: it then closes last.
   *
   * @param name for logs and the summary
   * @param timeout how long the task may take; the remaining budget caps it
   * @param task the work
   */
  void addShutdownTask(String name, Duration timeout, ShutdownTask task);

  /**
   * Registers a resource closed after every shutdown task, just before the summary: the probe
   * server, so that probes answer through the whole sequence. Resources registered here close in
   * reverse registration order, each within {@link #DEFAULT_TASK_TIMEOUT}; a failure counts as a
   * failed task. {@link dev.probekit.core.server.ProbeServer.Builder#lifecycle(Lifecycle)} registers its server here.
   *
   * @param name for logs and the summary
   * @param resource what to close
   */
  void closeLast(String name, AutoCloseable resource);

  /**
   * {@link #addShutdownTask(String, Duration, ShutdownTask)} with {@link #DEFAULT_TASK_TIMEOUT}.
   *
   * @param name for logs and the summary
   * @param task the work
   */
  default void addShutdownTask(String name, ShutdownTask task) {
    addShutdownTask(name, DEFAULT_TASK_TIMEOUT, task);
  }

  /**
   * Adds a participant to the drain: at {@link DrainPhase#STOP_ACCEPTING} it stops accepting
   * together with the servers and every other participant, then all drain in parallel within the
   * {@linkplain #drainTimeout() drain timeout}; the summary and the listeners get a {@link
   * ParticipantReport} for it. The HTTP requests of {@link #inflight()} are always the participant
   * {@value DrainParticipant#HTTP}. Register before the shutdown starts; one registered later is
   * not drained.
   *
   * @param participant the participant; its name must be unique and not {@value
   *     DrainParticipant#HTTP}
   * @param <P> its type, so that {@code DrainParticipant.executor(...)} can be registered and used
   *     in one expression
   * @return {@code participant}
   * @throws IllegalArgumentException if the name is taken
   */
  <P extends DrainParticipant> P addDrainParticipant(P participant);

  /**
   * Adds a listener told as each phase completes, and of each fault.
   *
   * @param listener the listener
   * @return closing it removes the listener
   */
  ListenerRegistration addListener(LifecycleListener listener);

  /**
   * Wakes every watcher parked on {@code endpoints} ({@link ProbeEndpoints#wakeWatchers()}) when
   * this lifecycle starts to drain (its {@link DrainPhase#ANNOUNCE} step), even if no status
   * changes then, so that adapters which release watchers while draining release them all.
   * Adapters given a lifecycle call this once.
   *
   * @param endpoints the endpoints whose long-poll watchers to wake
   * @return the registration, to stop waking them
   */
  default ListenerRegistration wakeWatchersAtDrainStart(ProbeEndpoints endpoints) {
    return addListener(
        (phase, took) -> {
          if (phase == DrainPhase.ANNOUNCE) {
            endpoints.wakeWatchers();
          }
        });
  }

  /**
   * Makes SIGTERM and SIGINT run the sequence and then exit, while the servers keep serving until
   * their own steps: with {@link #EXIT_CLEAN} or {@link #EXIT_DEGRADED} as the summary says (the
   * exit happens even if the sequence itself failed). A second signal runs no step twice; it logs
   * which step is running. Also installs a JVM shutdown hook, so {@code System.exit} from
   * elsewhere drains too, and starts, at the first signal or exit, a watchdog that halts the JVM
   * with {@link #EXIT_HALTED} if the sequence or the exit hangs. Call once.
   *
   * @throws IllegalStateException if already installed on this lifecycle
   */
  void installSignalHandler();

  /**
   * Runs {@link DrainPhase#ANNOUNCE} and {@link DrainPhase#PRE_STOP_DELAY} and returns when the
   * delay is over; what a Kubernetes {@code preStop} hook calls. A later {@link #shutdown()}
   * continues from {@link DrainPhase#STOP_ACCEPTING}. Concurrent and repeated calls wait for the
   * same delay.
   *
   * <p>A pre-stop call cannot strand the process: if no {@link #shutdown()} (SIGTERM) follows
   * within the grace period, the lifecycle logs a WARN and resumes normal service (readiness as
   * the checks say, {@link #isDraining()} false again), and a later call starts over. A {@link
   * #shutdown()} that follows a call older than the pre-stop delay gets the budget of a SIGTERM
   * that had followed a fresh pre-stop: measured from the signal, minus the pre-stop delay already
   * served, so in-flight requests still drain and tasks still run.
   */
  void preStop();

  /**
   * Starts {@link #preStop()} on a thread of its own, unless it has already started, and returns
   * at once. The stage completes when the pre-stop delay is over; servers use it to answer a
   * {@code preStop} HTTP hook without holding one of their threads for the whole delay.
   *
   * @return completes normally when the pre-stop delay is over, exceptionally if the pre-stop
   *     step failed (readiness could not be turned DOWN, or a listener threw): the delay was still
   *     served, and a {@code preStop} endpoint answers 503 so the failure shows in the pod's events
   */
  CompletionStage<Void> preStopAsync();

  /**
   * Runs the whole sequence, or the rest of it, and returns its summary. Concurrent and repeated
   * calls wait for the same run and get the same summary.
   *
   * @return the summary of the sequence: what each phase took and what, if anything, was lost
   */
  ShutdownSummary shutdown();

  /** {@return the summary, once the sequence has finished; empty before} */
  Optional<ShutdownSummary> summary();

  /** Builds a {@link Lifecycle}. Each setter checks its argument at once. */
  final class Builder {
    final HealthRegistry health;
    Duration preStopDelay = DEFAULT_PRE_STOP_DELAY;
    Duration preStopMin = DEFAULT_PRE_STOP_MIN;
    boolean preStopMinSet;
    Duration preStopQuietPeriod = DEFAULT_PRE_STOP_QUIET_PERIOD;
    Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    Duration gracePeriod = DEFAULT_GRACE_PERIOD;
    Duration safetyMargin = DEFAULT_SAFETY_MARGIN;
    InflightTracker inflight;
    Ticker ticker = Ticker.system();
    boolean exitOnSignal = true;
    Duration drainProgressInterval = DEFAULT_DRAIN_PROGRESS_INTERVAL;

    Builder(HealthRegistry health) {
      this.health = Objects.requireNonNull(health, "health");
    }

    /**
     * How long to keep serving after readiness drops, before stopping accepting; default {@link
     * #DEFAULT_PRE_STOP_DELAY}. Zero when the pod's {@code preStop} hook already sleeps.
     *
     * @param preStopDelay the delay; zero or positive
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder preStopDelay(Duration preStopDelay) {
      this.preStopDelay = nonNegative("preStopDelay", preStopDelay);
      return this;
    }

    /**
     * The least an adaptive pre-stop step lasts, for balancers that send no request that could
     * show they have moved (kube-proxy); default {@link #DEFAULT_PRE_STOP_MIN}. Must not exceed
     * the {@linkplain #preStopDelay(Duration) pre-stop delay}, which is the step's maximum.
     *
     * @param preStopMin the least duration; zero or positive
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder preStopMin(Duration preStopMin) {
      this.preStopMin = nonNegative("preStopMin", preStopMin);
      this.preStopMinSet = true;
      return this;
    }

    /**
     * Makes the pre-stop step adaptive: it ends once the {@linkplain #preStopMin(Duration)
     * minimum} has passed and no application request has arrived for this long, or at the
     * {@linkplain #preStopDelay(Duration) pre-stop delay}, whichever comes first. Default {@link
     * #DEFAULT_PRE_STOP_QUIET_PERIOD}: zero, the fixed delay.
     *
     * @param preStopQuietPeriod the quiet period; zero for the fixed delay
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder preStopQuietPeriod(Duration preStopQuietPeriod) {
      this.preStopQuietPeriod = nonNegative("preStopQuietPeriod", preStopQuietPeriod);
      return this;
    }

    /**
     * The longest wait for in-flight requests; default {@link #DEFAULT_DRAIN_TIMEOUT}.
     *
     * @param drainTimeout the timeout; zero or positive
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder drainTimeout(Duration drainTimeout) {
      this.drainTimeout = nonNegative("drainTimeout", drainTimeout);
      return this;
    }

    /**
     * The pod's {@code terminationGracePeriodSeconds}; default {@link #DEFAULT_GRACE_PERIOD}. The
     * whole sequence ends a {@linkplain #safetyMargin(Duration) safety margin} before it.
     *
     * @param gracePeriod the grace period; positive
     * @return this builder
     * @throws IllegalArgumentException if zero or negative
     */
    public Builder gracePeriod(Duration gracePeriod) {
      Arguments.positive("gracePeriod", gracePeriod);
      this.gracePeriod = gracePeriod;
      return this;
    }

    /**
     * Time kept free before the grace period ends; default {@link #DEFAULT_SAFETY_MARGIN}.
     *
     * @param safetyMargin the margin; zero or positive, and shorter than the grace period
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder safetyMargin(Duration safetyMargin) {
      this.safetyMargin = nonNegative("safetyMargin", safetyMargin);
      return this;
    }

    /**
     * Reads the settings from {@link System#getProperties()} and {@link System#getenv()}; see
     * {@link #configure(Map, Map)}.
     *
     * @return this builder
     * @throws IllegalArgumentException naming the setting and its value, if a value is invalid
     */
    public Builder fromEnvironment() {
      return configure(Settings.systemProperties(), System.getenv());
    }

    /**
     * Reads the settings {@value Lifecycle#PRE_STOP_DELAY_PROPERTY}, {@value
     * Lifecycle#PRE_STOP_MIN_PROPERTY}, {@value Lifecycle#PRE_STOP_QUIET_PERIOD_PROPERTY}, {@value
     * Lifecycle#DRAIN_TIMEOUT_PROPERTY}, {@value Lifecycle#GRACE_PERIOD_PROPERTY} and {@value
     * Lifecycle#SAFETY_MARGIN_PROPERTY} from {@code
     * systemProperties}, or else from {@code environment} under the upper-case name with
     * underscores ({@code PROBEKIT_SHUTDOWN_PRE_STOP_DELAY}): a system property wins over an
     * environment variable. Values are durations with a unit, such as {@code 500ms}, {@code 5s},
     * {@code 1m} (or ISO-8601, {@code PT5S}); {@code 0} is allowed. A setting found overrides what
     * was set in code before this call; a setter called after it wins over it.
     *
     * @param systemProperties system properties, such as {@link System#getProperties()}
     * @param environment environment variables, such as {@link System#getenv()}
     * @return this builder
     * @throws IllegalArgumentException naming the setting and its value, if a value is invalid:
     *     fail at start-up rather than drain with a surprise
     */
    public Builder configure(Map<String, String> systemProperties, Map<String, String> environment) {
      Objects.requireNonNull(systemProperties, "systemProperties");
      Objects.requireNonNull(environment, "environment");
      Settings.duration(PRE_STOP_DELAY_PROPERTY, systemProperties, environment, this::preStopDelay);
      Settings.duration(PRE_STOP_MIN_PROPERTY, systemProperties, environment, this::preStopMin);
      Settings.duration(
          PRE_STOP_QUIET_PERIOD_PROPERTY, systemProperties, environment, this::preStopQuietPeriod);
      Settings.duration(DRAIN_TIMEOUT_PROPERTY, systemProperties, environment, this::drainTimeout);
      Settings.duration(GRACE_PERIOD_PROPERTY, systemProperties, environment, this::gracePeriod);
      Settings.duration(SAFETY_MARGIN_PROPERTY, systemProperties, environment, this::safetyMargin);
      return this;
    }

    /**
     * How often the drain logs one line naming each participant and what it still holds, while
     * any is not idle; default {@link #DEFAULT_DRAIN_PROGRESS_INTERVAL}.
     *
     * @param interval the interval; positive
     * @return this builder
     * @throws IllegalArgumentException if zero or negative
     */
    public Builder drainProgressInterval(Duration interval) {
      Arguments.positive("drainProgressInterval", interval);
      this.drainProgressInterval = interval;
      return this;
    }

    /**
     * The tracker adapters count into; default a new one.
     *
     * @param inflight the tracker, for example one shared with code that counts its own requests
     * @return this builder
     */
    public Builder inflight(InflightTracker inflight) {
      this.inflight = Objects.requireNonNull(inflight, "inflight");
      return this;
    }

    /**
     * The ticker that times the phases and the budget; default {@link Ticker#system()}. A test
     * hook, so package-private: tests inject time through it (tests in other packages of this
     * module through the test sources' {@code LifecycleTestHooks}).
     *
     * @param ticker the time source; tests pass a manual one
     * @return this builder
     */
    Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Whether the signal handler exits the JVM once the sequence is done (default {@code true}),
     * with {@link Lifecycle#EXIT_CLEAN} or {@link Lifecycle#EXIT_DEGRADED} as the summary says; without it the
     * JVM's own SIGTERM exit status (143) applies.
     *
     * @param exitOnSignal {@code false} to leave the exit to the JVM
     * @return this builder
     */
    public Builder exitOnSignal(boolean exitOnSignal) {
      this.exitOnSignal = exitOnSignal;
      return this;
    }

    /**
     * Builds the lifecycle. Logs a warning when pre-stop delay plus drain timeout plus safety
     * margin exceed the grace period, naming the numbers: the drain would then be cut short.
     *
     * @return the lifecycle; not yet started
     * @throws IllegalArgumentException if the safety margin is not shorter than the grace period,
     *     or the pre-stop minimum (when set, or with a quiet period) exceeds the pre-stop delay
     */
    public Lifecycle build() {
      if ((preStopMinSet || !preStopQuietPeriod.isZero()) && preStopMin.compareTo(preStopDelay) > 0) {
        throw new IllegalArgumentException(
            "preStopMin ("
                + PRE_STOP_MIN_PROPERTY
                + "): "
                + Durations.format(preStopMin)
                + " (expected: <= preStopDelay ("
                + PRE_STOP_DELAY_PROPERTY
                + "), the pre-stop maximum, "
                + Durations.format(preStopDelay)
                + ")");
      }
      if (safetyMargin.compareTo(gracePeriod) >= 0) {
        throw new IllegalArgumentException(
            "safetyMargin ("
                + SAFETY_MARGIN_PROPERTY
                + "): "
                + Durations.format(safetyMargin)
                + " (expected: < gracePeriod ("
                + GRACE_PERIOD_PROPERTY
                + ") "
                + Durations.format(gracePeriod)
                + ")");
      }
      return new DefaultLifecycle(this);
    }

    private static Duration nonNegative(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
      }
      return value;
    }
  }
}
