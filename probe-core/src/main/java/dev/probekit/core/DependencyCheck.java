package dev.probekit.core;

import java.time.Duration;

/**
 * A built-in check that reaches another system (TCP, HTTP, JDBC), usable both as a health check
 * and as a dependency wait ({@link DependencyWait#of(String, HealthCheck)}): the one
 * implementation of each kind of probing. A wait runs it with its own attempt timeout.
 */
interface DependencyCheck extends HealthCheck {

  /**
   * One run bounded by {@code timeout} instead of the check's own.
   *
   * @param timeout how long the connect, request or validation may take
   */
  CheckResult check(Duration timeout) throws InterruptedException;

  /** What is reached, for logs and messages, such as {@code tcp db:5432}; never holds a secret. */
  String description();

  @Override
  default boolean isRemote() {
    return true;
  }
}
