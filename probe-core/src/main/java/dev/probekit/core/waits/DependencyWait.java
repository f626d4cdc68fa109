package dev.probekit.core.waits;

import dev.probekit.core.HealthCheck;
import dev.probekit.core.checks.Checks;
import dev.probekit.core.internal.Arguments;
import java.time.Duration;
import java.util.Optional;

/**
 * One dependency a service waits for at start-up: a database, a broker, another service. {@link
 * Waits} retries its {@link #attempt(Duration)} with backoff until it succeeds or the deadline
 * passes.
 *
 * <p>Built by {@link Waits#tcp(String, int)}, {@link Waits#http(String)}, {@link
 * Waits#jdbc(String, String, String)}, {@link Waits#of(String, java.util.concurrent.Callable)} and
 * {@link #of(String, HealthCheck)} (the dependency is met once a check is UP), or implemented
 * directly. Implementations must be thread-safe: attempts run on the waits'
 * executor, one at a time per dependency.
 *
 * <pre>{@code
 * DependencyWait db = Waits.tcp("db", 5432).named("postgres").withAttemptTimeout(Duration.ofSeconds(1));
 * }</pre>
 */
public interface DependencyWait {

  /**
   * A dependency that is met once {@code check} is UP: the same check can decide readiness once the
   * service runs. A DOWN result's message (or the error behind it) becomes the wait's "last error";
   * a check that throws fails the attempt with what it threw. The built-in remote checks ({@link
   * Checks#tcp(String, int)}, {@link Checks#http(java.net.URI)}, {@link Checks#jdbc(String, String,
   * String)}) run with the wait's attempt timeout and describe what they reach; any other check runs
   * as it is, interrupted at the attempt timeout, and is described by {@code name}.
   *
   * <pre>{@code
   * HealthCheck db = Checks.jdbc(dataSource);
   * waits.add(DependencyWait.of("orders-db", db));
   * health.register("orders-db", db, CheckOptions.of(Probe.READINESS));
   * }</pre>
   *
   * @param name the dependency's name, not blank
   * @param check UP when the dependency is available
   * @return the dependency
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static DependencyWait of(String name, HealthCheck check) {
    return SimpleDependencyWait.of(name, check);
  }

  /**
   * The name used in logs, in error messages and in the wait's check ({@code wait-<name>} on
   * {@code /startupz}); unique among the dependencies of one {@link Waits}.
   *
   * @return the name, not blank
   */
  String name();

  /**
   * What is awaited, for logs and messages, such as {@code "tcp db:5432"}. It should hold no secret;
   * whatever it holds is masked all the same before it is logged or shown.
   *
   * @return the description
   */
  String description();

  /**
   * Tries the dependency once, returning normally when it is available.
   *
   * @param timeout how long this attempt may take; the attempt is interrupted after it
   * @throws Exception why the dependency is not available yet; its class and message become the
   *     wait's "last error"
   */
  void attempt(Duration timeout) throws Exception;

  /**
   * This dependency's own attempt timeout, overriding {@link Waits.Builder#attemptTimeout(Duration)};
   * empty by default.
   *
   * @return the timeout, or empty to use the waits' default
   */
  default Optional<Duration> attemptTimeout() {
    return Optional.empty();
  }

  /**
   * The same dependency under another name.
   *
   * @param name the new name, not blank
   * @return a copy with that name and this dependency's attempt timeout
   * @throws IllegalArgumentException if {@code name} is blank
   */
  default DependencyWait named(String name) {
    return SimpleDependencyWait.copy(this, name, attemptTimeout().orElse(null));
  }

  /**
   * The same dependency with its own attempt timeout.
   *
   * @param timeout how long one attempt may take, &gt; 0
   * @return a copy with that timeout and this dependency's name
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  default DependencyWait withAttemptTimeout(Duration timeout) {
    Arguments.positive("timeout", timeout);
    return SimpleDependencyWait.copy(this, name(), timeout);
  }
}
