package dev.probekit.core;

import dev.probekit.core.internal.Failures;
import dev.probekit.core.internal.Secrets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The immutable outcome of one run of a {@link HealthCheck}.
 *
 * <p>A result is {@link Status#UP} or {@link Status#DOWN}, with an optional message, a small map of
 * details (latency, free bytes, a status code: strings, numbers and booleans), and for failures
 * the error that caused them. The message, the error and the details are shown to HTTP clients
 * only when the {@link DetailsPolicy} allows it, so they may name internal hosts; they must never
 * hold secrets all the same.
 *
 * <p>The evaluator stamps each result with the run's {@linkplain #duration() duration} and
 * {@linkplain #time() completion time}; a result built by a check has neither.
 */
public final class CheckResult {

  private static final CheckResult UP = new CheckResult(Status.UP, null, Map.of(), null, null, null);

  private final Status status;
  private final String message;
  private final Map<String, Object> details;
  private final Throwable error;
  private final Duration duration;
  private final Instant time;

  private CheckResult(
      Status status,
      String message,
      Map<String, Object> details,
      Throwable error,
      Duration duration,
      Instant time) {
    this.status = status;
    this.message = message;
    this.details = details;
    this.error = error;
    this.duration = duration;
    this.time = time;
  }

  /** A healthy result with no message. */
  public static CheckResult up() {
    return UP;
  }

  /**
   * A healthy result with a message.
   *
   * @param message shown only when details are allowed
   */
  public static CheckResult up(String message) {
    return new CheckResult(Status.UP, message, Map.of(), null, null, null);
  }

  /**
   * An unhealthy result.
   *
   * @param message why, shown only when details are allowed
   */
  public static CheckResult down(String message) {
    return new CheckResult(Status.DOWN, message, Map.of(), null, null, null);
  }

  /**
   * An unhealthy result caused by {@code error}; the message is the error's class and message, on
   * one line, secrets masked. Never throws, even when the error's own {@code getMessage()} does
   * (the message is then the class name).
   *
   * @param error the cause, shown (class and message only, never a stack trace) when details are
   *     allowed
   */
  public static CheckResult down(Throwable error) {
    Objects.requireNonNull(error, "error");
    return new CheckResult(Status.DOWN, Failures.describe(error), Map.of(), error, null, null);
  }

  /**
   * A result with the given status.
   *
   * @param status {@link Status#UP} or {@link Status#DOWN}
   * @param message optional message, may be {@code null}
   * @throws IllegalArgumentException if {@code status} is {@link Status#UNKNOWN}
   */
  public static CheckResult of(Status status, String message) {
    Objects.requireNonNull(status, "status");
    if (status == Status.UNKNOWN) {
      throw new IllegalArgumentException("status: UNKNOWN (expected: UP or DOWN)");
    }
    return new CheckResult(status, message, Map.of(), null, null, null);
  }

  /**
   * Returns a copy of this result with one more detail.
   *
   * @param key the detail's name
   * @param value a {@link String}, {@link Number} or {@link Boolean}; anything else is stored as its
   *     {@code toString()}
   */
  public CheckResult withDetail(String key, Object value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Map<String, Object> copy = new LinkedHashMap<>(details);
    copy.put(
        key,
        value instanceof Number || value instanceof Boolean || value instanceof String
            ? value
            : value.toString());
    return new CheckResult(
        status, message, Collections.unmodifiableMap(copy), error, duration, time);
  }

  /**
   * Returns a copy of this result with the run's timing; used by the evaluator.
   *
   * @param duration how long the run took
   * @param time when the run completed
   */
  public CheckResult withTiming(Duration duration, Instant time) {
    return new CheckResult(
        status,
        message,
        details,
        error,
        Objects.requireNonNull(duration, "duration"),
        Objects.requireNonNull(time, "time"));
  }

  /** {@link Status#UP} or {@link Status#DOWN}. */
  public Status status() {
    return status;
  }

  /** Whether {@link #status()} is UP. */
  public boolean isUp() {
    return status == Status.UP;
  }

  /** The message, if any. */
  public Optional<String> message() {
    return Optional.ofNullable(message);
  }

  /** The details, unmodifiable, in insertion order. */
  public Map<String, Object> details() {
    return details;
  }

  /** The error that made this result DOWN, if any. */
  public Optional<Throwable> error() {
    return Optional.ofNullable(error);
  }

  /** How long the run took; empty until the evaluator stamps the result. */
  public Optional<Duration> duration() {
    return Optional.ofNullable(duration);
  }

  /** When the run completed; empty until the evaluator stamps the result. */
  public Optional<Instant> time() {
    return Optional.ofNullable(time);
  }

  /** Whether the parts a client can see (status, message, details) are the same. */
  boolean sameVisibleState(CheckResult other) {
    return other != null
        && status == other.status
        && Objects.equals(message, other.message)
        && details.equals(other.details);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CheckResult)) {
      return false;
    }
    CheckResult that = (CheckResult) o;
    return status == that.status
        && Objects.equals(message, that.message)
        && details.equals(that.details)
        && Objects.equals(error, that.error)
        && Objects.equals(duration, that.duration)
        && Objects.equals(time, that.time);
  }

  @Override
  public int hashCode() {
    return Objects.hash(status, message, details, error, duration, time);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("CheckResult{").append(status);
    if (message != null) {
      sb.append(", message=").append(message);
    }
    if (!details.isEmpty()) {
      sb.append(", details=").append(details);
    }
    if (duration != null) {
      sb.append(", duration=").append(duration.toMillis()).append("ms");
    }
    // Logged by the evaluator at DEBUG: masked like every text that leaves the library.
    return Secrets.redact(sb.append('}').toString());
  }
}
