package dev.probekit.core.waits;

import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.checks.Checks;
import dev.probekit.core.internal.Secrets;
import dev.probekit.core.internal.Ticker;
import dev.probekit.core.lifecycle.Lifecycle;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;

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
 * (100 ms, x{@value #DEFAULT_MULTIPLIER}, capped at 5 s), each attempt has a timeout, and all share
 * one deadline. Every 5 s at most, one INFO line per unmet dependency says
 * what is awaited, the attempt, the time elapsed and left, and the last error.
 *
 * <p>With a {@link HealthRegistry}, each dependency is a check {@code wait-<name>} on {@link
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
  /** Default deadline for all dependencies together: 60 s. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(60);

  /** Default timeout of one attempt: 2 s. */
  public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(2);

  /** Default delay after the first failure: 100 ms. */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);

  /** Default cap on the delay between attempts: 5 s. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);

  /** Default growth of the delay per failure: {@value}. */
  public static final double DEFAULT_MULTIPLIER = 2.0;

  /** Default jitter: each delay is shortened by a random 0 to {@value} of itself. */
  public static final double DEFAULT_JITTER = 0.2;

  /** Default interval between progress lines: 5 s. */
  public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(5);

  private final WaitRun run;

  private Waits(Builder b) {
    this.run = new WaitRun(b);
  }

  /**
   * A builder with every default and no dependency yet.
   *
   * @return a new builder
   */
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
   * @return the dependency
   * @throws IllegalArgumentException if the port is out of range
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
   * @return the dependency
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
   * @return the dependency
   * @throws IllegalArgumentException if {@code url} does not start with {@code jdbc:}
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
   * @return the dependency
   * @throws IllegalArgumentException if {@code name} is blank
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
    return run.await();
  }

  /**
   * The names of the dependencies not (yet) available, in the order they were added.
   *
   * @return the names; empty once all are available
   */
  public List<String> unmet() {
    return run.unmet();
  }

  /**
   * Stops every retry (a running {@link #await()} throws an aborted {@link
   * DependencyWaitException}), removes the waits' checks and shuts down the executors the waits
   * created. Idempotent.
   */
  @Override
  public void close() {
    run.close();
  }

  @Override
  public String toString() {
    return run.toString();
  }

  /** Builds {@link Waits}. Each setter checks its argument at once. */
  public static final class Builder {
    final List<DependencyWait> waits = new ArrayList<>();
    Duration deadline = DEFAULT_DEADLINE;
    Duration attemptTimeout = DEFAULT_ATTEMPT_TIMEOUT;
    Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    double multiplier = DEFAULT_MULTIPLIER;
    double jitter = DEFAULT_JITTER;
    Duration progressInterval = DEFAULT_PROGRESS_INTERVAL;
    boolean continueDegraded;
    HealthRegistry health;
    Lifecycle lifecycle;
    Ticker ticker = Ticker.system();
    RandomGenerator random;
    ScheduledExecutorService scheduler;
    ExecutorService executor;

    Builder() {}

    /**
     * Adds a dependency to wait for.
     *
     * @param wait the dependency; its name must be unique among this builder's
     * @return this builder
     */
    public Builder add(DependencyWait wait) {
      waits.add(Objects.requireNonNull(wait, "wait"));
      return this;
    }

    /**
     * How long to wait for all dependencies together; default {@link #DEFAULT_DEADLINE}.
     * Keep it inside the startup probe's budget ({@code failureThreshold x periodSeconds}).
     *
     * @param deadline the deadline, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code deadline} is not positive
     */
    public Builder deadline(Duration deadline) {
      this.deadline = positive("deadline", deadline);
      return this;
    }

    /**
     * How long one attempt may take, unless the dependency sets its own; default {@link
     * #DEFAULT_ATTEMPT_TIMEOUT}.
     *
     * @param attemptTimeout the timeout, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code attemptTimeout} is not positive
     */
    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = positive("attemptTimeout", attemptTimeout);
      return this;
    }

    /**
     * The delay after the first failure; default {@link #DEFAULT_INITIAL_BACKOFF}.
     *
     * @param initialBackoff the delay, positive, at most the {@linkplain #maxBackoff(Duration) cap}
     * @return this builder
     * @throws IllegalArgumentException if {@code initialBackoff} is not positive
     */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = positive("initialBackoff", initialBackoff);
      return this;
    }

    /**
     * The cap on the delay between attempts; default {@link #DEFAULT_MAX_BACKOFF}.
     *
     * @param maxBackoff the cap, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code maxBackoff} is not positive
     */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = positive("maxBackoff", maxBackoff);
      return this;
    }

    /**
     * Growth of the delay per consecutive failure, &gt;= 1; default {@value #DEFAULT_MULTIPLIER}.
     *
     * @param multiplier the factor, 1 (constant delay) to 100
     * @return this builder
     * @throws IllegalArgumentException if {@code multiplier} is outside 1 to 100
     */
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
     *
     * @param jitter the fraction, 0 for none
     * @return this builder
     * @throws IllegalArgumentException if {@code jitter} is outside 0 to 1
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0 && jitter <= 1)) {
        throw new IllegalArgumentException("jitter: " + jitter + " (expected: 0..1)");
      }
      this.jitter = jitter;
      return this;
    }

    /**
     * The least time between two progress lines at INFO; default {@link
     * #DEFAULT_PROGRESS_INTERVAL}.
     *
     * @param progressInterval the interval, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code progressInterval} is not positive
     */
    public Builder progressInterval(Duration progressInterval) {
      this.progressInterval = positive("progressInterval", progressInterval);
      return this;
    }

    /**
     * Whether {@link Waits#await()} returns {@code false} at the deadline instead of throwing,
     * leaving readiness DOWN (with the reason) while the unmet dependencies keep being retried;
     * default {@code false}.
     *
     * @param continueDegraded {@code true} to start degraded rather than fail
     * @return this builder
     */
    public Builder continueDegraded(boolean continueDegraded) {
      this.continueDegraded = continueDegraded;
      return this;
    }

    /**
     * Registers a check {@code wait-<name>} per dependency on startup and readiness while it is
     * awaited, so {@code /startupz} shows what is missing; default none.
     *
     * @param health the registry to show the waits on
     * @return this builder
     */
    public Builder health(HealthRegistry health) {
      this.health = Objects.requireNonNull(health, "health");
      return this;
    }

    /**
     * Aborts the waits when {@code lifecycle}'s shutdown starts (a SIGTERM during start-up), so
     * {@link Waits#await()} throws at once and the service goes straight to its stop steps;
     * default none.
     *
     * @param lifecycle the lifecycle whose shutdown aborts the waits
     * @return this builder
     */
    public Builder lifecycle(Lifecycle lifecycle) {
      this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
      return this;
    }

    /**
     * The ticker for elapsed and remaining time; default {@link Ticker#system()}. This and the
     * random source, scheduler and executor below are test hooks, so package-private: the waits
     * own their daemon threads and applications have no reason to replace them.
     *
     * @param ticker the ticker
     * @return this builder
     */
    Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * The source of jitter; default a new {@link java.util.SplittableRandom}.
     *
     * @param random the random source
     * @return this builder
     */
    Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * The scheduler that times attempts, timeouts, the deadline and progress lines; default a
     * daemon thread owned by the {@code Waits}. One given here is not shut down.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * The executor that runs attempts; default daemon threads owned by the {@code Waits}, at most
     * one per dependency. It must not queue attempts behind one another. One given here is not
     * shut down.
     *
     * @param executor the executor
     * @return this builder
     */
    Builder executor(ExecutorService executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Builds the waits; nothing runs until {@link Waits#await()}.
     *
     * @return the waits, not started
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
        if (!names.add(WaitRun.checkName(wait.name()))) {
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
