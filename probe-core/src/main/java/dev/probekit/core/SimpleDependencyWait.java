package dev.probekit.core;

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
