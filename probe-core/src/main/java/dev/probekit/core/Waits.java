package dev.probekit.core;

import dev.probekit.core.internal.Backoff;
import dev.probekit.core.internal.DaemonThreadFactory;
import dev.probekit.core.internal.Durations;
import dev.probekit.core.internal.Failures;
import dev.probekit.core.internal.Secrets;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
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
 * Waits at start-up for the dependencies a service needs, instead of crash-looping on them: the
 * library's {@code until pg_isready; do sleep 1; done}.
 *
 * <pre>{@code
 * Waits waits = Waits.builder()
 *     .add(Waits.tcp("db", 5432).named("postgres"))
 *     .add(Waits.http("http://auth:8080/readyz").named("auth"))
 *     .deadline(Duration.ofMinutes(2))
 *     .health(health)         // /startupz is DOWN, with each wait's progress, until they are met
 *     .lifecycle(lifecycle)   // a SIGTERM meanwhile aborts the waits
 *     .build();
 * try {
 *   waits.await();
 * } catch (DependencyWaitException e) {
 *   log.error("{}", e.getMessage());   // names every unmet dependency and its last error
 *   System.exit(1);
 * }
 * }</pre>
 *
 * <p>The dependencies are awaited in parallel. Each retries with exponential backoff and jitter
 * ({@value #DEFAULT_INITIAL_BACKOFF_MILLIS} ms, x{@value #DEFAULT_MULTIPLIER}, capped at {@value
 * #DEFAULT_MAX_BACKOFF_MILLIS} ms), each attempt has a timeout, and all share one deadline. Every
 * {@value #DEFAULT_PROGRESS_INTERVAL_MILLIS} ms at most, one INFO line per unmet dependency says
 * what is awaited, the attempt, the time elapsed and left, and the last error.
 *
 * <p>With a {@link Health}, each dependency is a check {@code wait-<name>} on {@link
 * Probe#STARTUP} and {@link Probe#READINESS}, DOWN until it is met (its message, shown when details
 * are allowed, has the attempts and the last error), then removed. Liveness is untouched: the
 * process is alive while it waits.
 *
 * <p>At the deadline, {@link #await()} throws a {@link DependencyWaitException}; or, with {@link
 * Builder#continueDegraded(boolean)}, returns {@code false}: the unmet dependencies' checks then
 * leave the startup probe but stay on readiness, DOWN with the reason, and keep being retried (at
 * the capped backoff) until they are met or {@link #close()} is called.
 *
 * <p>A {@code Waits} runs once; its threads are daemons and stop when every dependency is met,
 * on failure, or on {@link #close()}.
 */
public final class Waits implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Waits.class);

  /** Default deadline for all dependencies together: {@value} ms. */
  public static final long DEFAULT_DEADLINE_MILLIS = 60_000;

  /** Default timeout of one attempt: {@value} ms. */
  public static final long DEFAULT_ATTEMPT_TIMEOUT_MILLIS = 2_000;

  /** Default delay after the first failure: {@value} ms. */
  public static final long DEFAULT_INITIAL_BACKOFF_MILLIS = 100;

  /** Default cap on the delay between attempts: {@value} ms. */
  public static final long DEFAULT_MAX_BACKOFF_MILLIS = 5_000;

  /** Default growth of the delay per failure: {@value}. */
  public static final double DEFAULT_MULTIPLIER = 2.0;

  /** Default jitter: each delay is shortened by a random 0 to {@value} of itself. */
  public static final double DEFAULT_JITTER = 0.2;

  /** Default interval between progress lines: {@value} ms. */
  public static final long DEFAULT_PROGRESS_INTERVAL_MILLIS = 5_000;

  /** How often a wait's check re-reads its state; a met wait's check is removed at once. */
  private static final Duration CHECK_INTERVAL = Duration.ofMillis(250);

    private final List<State> states = new ArrayList<>();
  private final Duration deadline;
  private final Duration defaultAttemptTimeout;
  private final Backoff backoff;
  private final Duration progressInterval;
  private final boolean continueDegraded;
  private final Health health;
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

  private Waits(Builder b) {
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

  /** A builder with every default and no dependency yet. */
  public static Builder builder() {
    return new Builder();
  }

  // ---- the built-in dependencies ----

  /**
   * A TCP dependency: available once a connection to {@code host:port} opens ({@link
   * Checks#tcp(String, int)}). Named {@code host:port}.
   *
   * @param host a host name or address
   * @param port 1 to 65535
   */
  public static DependencyWait tcp(String host, int port) {
    return DependencyWait.of(host + ":" + port, Checks.tcp(host, port));
  }

  /**
   * An HTTP dependency: available once a GET of {@code url} answers 2xx or 3xx (redirects are not
   * followed) within the attempt timeout ({@link Checks#http(URI)}). Named after the URL's host and
   * port; user-info, query and fragment, which may hold credentials, are never shown.
   *
   * @param url an {@code http} or {@code https} URL
   * @throws IllegalArgumentException if the URL is not one
   */
  public static DependencyWait http(String url) {
    Objects.requireNonNull(url, "url");
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    String scheme = uri == null || uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "url: '" + Secrets.redact(url) + "' (expected: http(s)://host[:port]/path)");
    }
    int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return DependencyWait.of(uri.getHost() + ":" + port, Checks.http(uri));
  }

  /**
   * A JDBC dependency: available once {@link java.sql.DriverManager} opens a connection that
   * {@link java.sql.Connection#isValid(int) is valid} ({@link Checks#jdbc(String, String,
   * String)}). The driver is the application's; DriverManager finds it on the class path. Named
   * after the URL's subprotocol, such as {@code postgresql}; described by the URL up to its first
   * {@code ?} or {@code ;}, with any credentials masked.
   *
   * @param url a JDBC URL
   * @param user the user, or {@code null}
   * @param password the password, or {@code null}
   */
  public static DependencyWait jdbc(String url, String user, String password) {
    Objects.requireNonNull(url, "url");
    if (!url.startsWith("jdbc:")) {
      throw new IllegalArgumentException("url: expected a JDBC URL starting with 'jdbc:'");
    }
    String prefix = Secrets.jdbcPrefix(url);
    String name = prefix.length() > "jdbc:".length() ? prefix.substring("jdbc:".length()) : "jdbc";
    return DependencyWait.of(name, Checks.jdbc(url, user, password));
  }

  /**
   * A dependency checked by {@code attempt}: available once it returns anything but {@code
   * Boolean.FALSE} without throwing. It should honour interruption, which is how it learns that
   * its attempt timed out.
   *
   * @param name the dependency's name
   * @param attempt one try
   */
  public static DependencyWait of(String name, Callable<?> attempt) {
    Objects.requireNonNull(attempt, "attempt");
    return DependencyWait.of(
        name,
        () -> {
          if (Boolean.FALSE.equals(attempt.call())) {
            throw new IllegalStateException("not available yet");
          }
          return CheckResult.up();
        });
  }

  // ---- running ----

  /**
   * Waits until every dependency is available, or the deadline passes. Runs once: later calls
   * return or throw as the first did.
   *
   * @return {@code true} when every dependency is available; {@code false} when the deadline
   *     passed and {@linkplain Builder#continueDegraded(boolean) degraded start} is on
   * @throws DependencyWaitException at the deadline, naming each unmet dependency and its last
   *     error; or when aborted by a shutdown or {@link #close()}
   * @throws InterruptedException if interrupted; the waits are then stopped
   */
  public boolean await() throws DependencyWaitException, InterruptedException {
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

  /** The names of the dependencies not (yet) available, in the order they were added. */
  public List<String> unmet() {
    List<String> names = new ArrayList<>();
    for (State state : states) {
      if (!state.met) {
        names.add(state.wait.name());
      }
    }
    return names;
  }

  /**
   * Stops every retry (a running {@link #await()} throws an aborted {@link
   * DependencyWaitException}), removes the waits' checks and shuts down the executors the waits
   * created. Idempotent.
   */
  @Override
  public void close() {
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

  /** Builds {@link Waits}. Each setter checks its argument at once. */
  public static final class Builder {
    private final List<DependencyWait> waits = new ArrayList<>();
    private Duration deadline = Duration.ofMillis(DEFAULT_DEADLINE_MILLIS);
    private Duration attemptTimeout = Duration.ofMillis(DEFAULT_ATTEMPT_TIMEOUT_MILLIS);
    private Duration initialBackoff = Duration.ofMillis(DEFAULT_INITIAL_BACKOFF_MILLIS);
    private Duration maxBackoff = Duration.ofMillis(DEFAULT_MAX_BACKOFF_MILLIS);
    private double multiplier = DEFAULT_MULTIPLIER;
    private double jitter = DEFAULT_JITTER;
    private Duration progressInterval = Duration.ofMillis(DEFAULT_PROGRESS_INTERVAL_MILLIS);
    private boolean continueDegraded;
    private Health health;
    private Lifecycle lifecycle;
    private Ticker ticker = Ticker.system();
    private RandomGenerator random;
    private ScheduledExecutorService scheduler;
    private ExecutorService executor;

    Builder() {}

    /**
     * Adds a dependency to wait for.
     *
     * @param wait the dependency; its name must be unique among this builder's
     */
    public Builder add(DependencyWait wait) {
      waits.add(Objects.requireNonNull(wait, "wait"));
      return this;
    }

    /**
     * How long to wait for all dependencies together; default {@value #DEFAULT_DEADLINE_MILLIS}
     * ms. Keep it inside the startup probe's budget ({@code failureThreshold x periodSeconds}).
     */
    public Builder deadline(Duration deadline) {
      this.deadline = positive("deadline", deadline);
      return this;
    }

    /** {@link #deadline(Duration)} in milliseconds. */
    public Builder deadlineMillis(long millis) {
      return deadline(Duration.ofMillis(millis));
    }

    /**
     * How long one attempt may take, unless the dependency sets its own; default {@value
     * #DEFAULT_ATTEMPT_TIMEOUT_MILLIS} ms.
     */
    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = positive("attemptTimeout", attemptTimeout);
      return this;
    }

    /** {@link #attemptTimeout(Duration)} in milliseconds. */
    public Builder attemptTimeoutMillis(long millis) {
      return attemptTimeout(Duration.ofMillis(millis));
    }

    /** The delay after the first failure; default {@value #DEFAULT_INITIAL_BACKOFF_MILLIS} ms. */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = positive("initialBackoff", initialBackoff);
      return this;
    }

    /** The cap on the delay between attempts; default {@value #DEFAULT_MAX_BACKOFF_MILLIS} ms. */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = positive("maxBackoff", maxBackoff);
      return this;
    }

    /** Growth of the delay per consecutive failure, &gt;= 1; default {@value #DEFAULT_MULTIPLIER}. */
    public Builder multiplier(double multiplier) {
      if (!(multiplier >= 1 && multiplier <= 100)) {
        throw new IllegalArgumentException("multiplier: " + multiplier + " (expected: 1..100)");
      }
      this.multiplier = multiplier;
      return this;
    }

    /**
     * The largest fraction, 0 to 1, randomly taken off each delay; default {@value
     * #DEFAULT_JITTER}.
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0 && jitter <= 1)) {
        throw new IllegalArgumentException("jitter: " + jitter + " (expected: 0..1)");
      }
      this.jitter = jitter;
      return this;
    }

    /**
     * The least time between two progress lines at INFO; default {@value
     * #DEFAULT_PROGRESS_INTERVAL_MILLIS} ms.
     */
    public Builder progressInterval(Duration progressInterval) {
      this.progressInterval = positive("progressInterval", progressInterval);
      return this;
    }

    /**
     * Whether {@link Waits#await()} returns {@code false} at the deadline instead of throwing,
     * leaving readiness DOWN (with the reason) while the unmet dependencies keep being retried;
     * default {@code false}.
     */
    public Builder continueDegraded(boolean continueDegraded) {
      this.continueDegraded = continueDegraded;
      return this;
    }

    /**
     * Registers a check {@code wait-<name>} per dependency on startup and readiness while it is
     * awaited, so {@code /startupz} shows what is missing; default none.
     */
    public Builder health(Health health) {
      this.health = Objects.requireNonNull(health, "health");
      return this;
    }

    /**
     * Aborts the waits when {@code lifecycle}'s shutdown starts (a SIGTERM during start-up), so
     * {@link Waits#await()} throws at once and the service goes straight to its stop steps;
     * default none.
     */
    public Builder lifecycle(Lifecycle lifecycle) {
      this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
      return this;
    }

    /** The ticker for elapsed and remaining time; default {@link Ticker#system()}. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** The source of jitter; default a new {@link java.util.SplittableRandom}. */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * The scheduler that times attempts, timeouts, the deadline and progress lines; default a
     * daemon thread owned by the {@code Waits}. One given here is not shut down.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * The executor that runs attempts; default daemon threads owned by the {@code Waits}, at most
     * one per dependency. It must not queue attempts behind one another. One given here is not
     * shut down.
     */
    public Builder executor(ExecutorService executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Builds the waits; nothing runs until {@link Waits#await()}.
     *
     * @throws IllegalArgumentException if two dependencies share a name, or the initial backoff
     *     exceeds the cap
     */
    public Waits build() {
      if (initialBackoff.compareTo(maxBackoff) > 0) {
        throw new IllegalArgumentException(
            "initialBackoff: " + initialBackoff + " (expected: <= maxBackoff " + maxBackoff + ")");
      }
      Set<String> names = new HashSet<>();
      for (DependencyWait wait : waits) {
        if (!names.add(checkName(wait.name()))) {
          throw new IllegalArgumentException(
              "wait name: '" + wait.name() + "' (expected: unique; use named(...))");
        }
      }
      if (random == null) {
        random = new java.util.SplittableRandom();
      }
      return new Waits(this);
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
