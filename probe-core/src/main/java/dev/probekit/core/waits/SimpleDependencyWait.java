package dev.probekit.core.waits;

import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.internal.DependencyCheck;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** A {@link DependencyWait} made of a name, a description, an attempt and an optional timeout. */
final class SimpleDependencyWait implements DependencyWait {

  /** One attempt at reaching a dependency. */
  @FunctionalInterface
  interface Attempt {
    void run(Duration timeout) throws Exception;
  }

  private final String name;
  private final String description;
  private final Attempt attempt;
  private final Duration attemptTimeout;

  SimpleDependencyWait(String name, String description, Attempt attempt, Duration attemptTimeout) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name: '" + name + "' (expected: not blank)");
    }
    this.name = name;
    this.description = Objects.requireNonNull(description, "description");
    this.attempt = Objects.requireNonNull(attempt, "attempt");
    this.attemptTimeout = attemptTimeout;
  }

  /** A dependency met once {@code check} is UP; see {@link DependencyWait#of(String, HealthCheck)}. */
  static DependencyWait of(String name, HealthCheck check) {
    Objects.requireNonNull(check, "check");
    if (check instanceof DependencyCheck) {
      DependencyCheck remote = (DependencyCheck) check;
      return new SimpleDependencyWait(
          name, remote.description(), timeout -> require(remote.attempt(timeout)), null);
    }
    return new SimpleDependencyWait(name, name, timeout -> require(check.check()), null);
  }

  /** Returns if {@code result} is UP; throws why not otherwise. */
  private static void require(CheckResult result) throws Unavailable {
    if (result == null) {
      throw new Unavailable("check returned null");
    }
    if (!result.isUp()) {
      throw new Unavailable(result.message().orElse("DOWN"));
    }
  }

  /** A DOWN result as an attempt's failure; described by the result's message alone. */
  static final class Unavailable extends Exception {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
      // No stack trace: it is never shown, and a dependency that is down fails often.
      super(message, null, false, false);
    }
  }

  static DependencyWait copy(DependencyWait wait, String name, Duration attemptTimeout) {
    Objects.requireNonNull(wait, "wait");
    return new SimpleDependencyWait(name, wait.description(), wait::attempt, attemptTimeout);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public void attempt(Duration timeout) throws Exception {
    attempt.run(timeout);
  }

  @Override
  public Optional<Duration> attemptTimeout() {
    return Optional.ofNullable(attemptTimeout);
  }

  @Override
  public String toString() {
    return name.equals(description) ? name : name + " (" + description + ")";
  }
}
