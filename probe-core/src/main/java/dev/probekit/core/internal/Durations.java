package dev.probekit.core.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and formats the human durations used in configuration and messages: 500ms, 5s, 1m. */
public final class Durations {
  private static final Pattern PATTERN =
      Pattern.compile("(\\d{1,12})\\s*(ns|us|ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);

  private Durations() {}

  /**
   * Parses {@code 500ms}, {@code 5s}, {@code 1m}, {@code 2h}, {@code 1d}, a bare number of
   * milliseconds, or an ISO-8601 duration such as {@code PT5S}.
   *
   * @throws IllegalArgumentException naming the value, if it is none of these or negative
   */
  public static Duration parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("duration: null (expected: such as 500ms, 5s, 1m)");
    }
    String trimmed = text.trim();
    Matcher m = PATTERN.matcher(trimmed);
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "ms" : m.group(2).toLowerCase(Locale.ROOT);
      switch (unit) {
        case "ns":
          return Duration.ofNanos(amount);
        case "us":
          return Duration.ofNanos(Math.multiplyExact(amount, 1000L));
        case "ms":
          return Duration.ofMillis(amount);
        case "s":
          return Duration.ofSeconds(amount);
        case "m":
          return Duration.ofMinutes(amount);
        case "h":
          return Duration.ofHours(amount);
        default:
          return Duration.ofDays(amount);
      }
    }
    if (trimmed.length() > 1 && (trimmed.charAt(0) == 'P' || trimmed.charAt(0) == 'p')) {
      try {
        Duration d = Duration.parse(trimmed);
        if (!d.isNegative()) {
          return d;
        }
      } catch (RuntimeException e) {
        // fall through to the common message below
      }
    }
    throw new IllegalArgumentException(
        "duration: '" + text + "' (expected: such as 500ms, 5s, 1m)");
  }

  /**
   * Formats a measured duration for a progress line: {@code 850ms} below a second, else seconds
   * to one decimal, {@code 12.3s}. Unlike {@link #format(Duration)} it rounds, so it does not
   * parse back; use it for elapsed and remaining times, not for settings.
   */
  public static String approximate(Duration d) {
    long millis = d.toMillis();
    if (millis < 1000) {
      return millis + "ms";
    }
    return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
  }

  /** Formats a duration the way a person writes it: {@code 2s}, {@code 1500ms}, {@code 1m}. */
  public static String format(Duration d) {
    long millis = d.toMillis();
    if (millis == 0 && !d.isZero()) {
      return d.toNanos() / 1000 + "us";
    }
    if (millis % 60_000 == 0 && millis != 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0 && millis != 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }
}
