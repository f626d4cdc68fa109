package dev.probekit.core.internal;

import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import java.time.Duration;

/**
 * A built-in check that reaches another system (TCP, HTTP, JDBC), usable both as a health check
 * and as a dependency wait ({@code DependencyWait.of(String, HealthCheck)}): the one
 * implementation of each kind of probing. A wait runs it with its own attempt timeout.
 */
public interface DependencyCheck extends HealthCheck {

  /**
   * One try bounded by {@code timeout} instead of the check's own: UP, or DOWN for an answer that
   * is not good enough (an HTTP 503); a failure to reach the system at all is thrown as it is
   * ({@code ConnectException}), so that a wait can name it. {@link #check()} turns it into DOWN.
   *
   * @param timeout how long the connect, request or validation may take
   * @throws Exception why the system could not be reached
   */
  CheckResult attempt(Duration timeout) throws Exception;

  /** What is reached, for logs and messages, such as {@code tcp db:5432}; never holds a secret. */
  String description();

  @Override
  default boolean isRemote() {
    return true;
  }
}
