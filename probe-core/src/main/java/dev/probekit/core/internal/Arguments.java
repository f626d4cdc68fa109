package dev.probekit.core.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * The argument checks that Probekit's builders share, so that each rule and its message are
 * written once: {@code "timeout: PT0S (expected: > 0)"}.
 */
public final class Arguments {
  private Arguments() {}

  /**
   * {@code value}, checked to be positive.
   *
   * @param name the argument's name, for the message
   * @param value the duration
   * @return {@code value}
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if {@code value} is zero or negative
   */
  public static Duration positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
    return value;
  }

  /**
   * {@code value}, checked to be at least one.
   *
   * @param name the argument's name, for the message
   * @param value the count
   * @return {@code value}
   * @throws IllegalArgumentException if {@code value} is below 1
   */
  public static int atLeastOne(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
    }
    return value;
  }

  /**
   * {@code port}, checked to be a port to listen on: 0 (any free one) to 65535.
   *
   * @param port the port
   * @return {@code port}
   * @throws IllegalArgumentException if out of range
   */
  public static int port(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    return port;
  }
}
