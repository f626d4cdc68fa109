package dev.probekit.examples;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's own settings, each from a system property or else the matching environment variable
 * ({@code probekit.demo.port} or {@code PROBEKIT_DEMO_PORT}); the system property wins. The
 * shutdown timings are the library's own settings, read by {@code Lifecycle.Builder#fromEnvironment()}.
 */
final class DemoConfig {
  static final String APP_PORT = "probekit.demo.port";
  static final String PROBE_PORT = "probekit.probe.port";
  static final String DRAIN = "probekit.demo.drain";
  static final String DEPENDENCY_DELAY = "probekit.demo.dependency-delay";
  static final String WAIT_DEADLINE = "probekit.demo.wait-deadline";
  static final String DETAILS = "probekit.demo.details";
  static final String THREADS = "probekit.demo.threads";
  static final String DATABASE_URL = "probekit.demo.database-url";
  static final String JOB_DURATION = "probekit.demo.job-duration";
  static final String TICK_INTERVAL = "probekit.demo.tick-interval";
  static final String DATABASE_USER = "probekit.demo.database-user";
  static final String DATABASE_PASSWORD = "probekit.demo.database-password";

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

  final int appPort;
  final int probePort;
  final boolean drain;
  final Duration dependencyDelay;
  final Duration waitDeadline;
  final boolean details;
  final int threads;
  /** How long each queued job, executor task and scheduled run takes. */
  final Duration jobDuration;
  /** The scheduled job's interval; zero for none. */
  final Duration tickInterval;
  /** An external database's JDBC URL, or {@code null} for the embedded H2 server. */
  final String databaseUrl;
  /** The user, or {@code null} when not set. */
  final String databaseUser;
  /** Never printed: {@link #toString()} and every message leave it out. */
  final String databasePassword;

  private DemoConfig(Map<String, String> sys, Map<String, String> env) {
    appPort = port(APP_PORT, lookup(APP_PORT, sys, env, "8080"));
    probePort = port(PROBE_PORT, lookup(PROBE_PORT, sys, env, "8081"));
    drain = bool(DRAIN, lookup(DRAIN, sys, env, "true"));
    dependencyDelay = duration(DEPENDENCY_DELAY, lookup(DEPENDENCY_DELAY, sys, env, "1s"));
    waitDeadline = duration(WAIT_DEADLINE, lookup(WAIT_DEADLINE, sys, env, "30s"));
    String d = lookup(DETAILS, sys, env, "never");
    if (!d.equals("never") && !d.equals("always")) {
      throw new IllegalArgumentException(DETAILS + ": '" + d + "' (expected: never or always)");
    }
    details = d.equals("always");
    threads = number(THREADS, lookup(THREADS, sys, env, "16"), 1, 1000);
    jobDuration = duration(JOB_DURATION, lookup(JOB_DURATION, sys, env, "200ms"));
    tickInterval = duration(TICK_INTERVAL, lookup(TICK_INTERVAL, sys, env, "1s"));
    String url = lookup(DATABASE_URL, sys, env, "");
    if (!url.isEmpty() && !url.startsWith("jdbc:")) {
      // Not quoted: a URL can carry a password.
      throw new IllegalArgumentException(
          DATABASE_URL + " / " + envName(DATABASE_URL) + ": expected a JDBC URL starting with 'jdbc:'");
    }
    databaseUrl = url.isEmpty() ? null : url;
    String user = lookup(DATABASE_USER, sys, env, "");
    // Unset: none at all, so a URL that carries its own user (H2's ;USER=) does not clash.
    databaseUser = user.isEmpty() ? null : user;
    String password = sys.get(DATABASE_PASSWORD);
    if (password == null) {
      password = env.get(envName(DATABASE_PASSWORD));
    }
    // Not trimmed: a password is taken exactly as given.
    databasePassword = password;
  }

  @Override
  public String toString() {
    return "DemoConfig[app=" + appPort + ", probe=" + probePort + ", database="
        + (databaseUrl == null ? "embedded" : "external") + ", password=****]";
  }

  /**
   * Reads the settings.
   *
   * @throws IllegalArgumentException naming the setting and its value, when a value is invalid
   */
  static DemoConfig from(Map<String, String> systemProperties, Map<String, String> env) {
    return new DemoConfig(systemProperties, env);
  }

  static String envName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static String lookup(String key, Map<String, String> sys, Map<String, String> env, String fallback) {
    String value = sys.get(key);
    if (value == null) {
      value = env.get(envName(key));
    }
    return value == null ? fallback : value.trim();
  }

  private static int port(String key, String value) {
    return number(key, value, 0, 65535);
  }

  private static int number(String key, String value, int min, int max) {
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException expected) {
      // reported below, with the key
    }
    throw new IllegalArgumentException(
        key + " / " + envName(key) + ": '" + value + "' (expected: " + min + ".." + max + ")");
  }

  private static boolean bool(String key, String value) {
    if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new IllegalArgumentException(
        key + " / " + envName(key) + ": '" + value + "' (expected: true or false)");
  }

  private static Duration duration(String key, String value) {
    Matcher m = DURATION.matcher(value);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          return Duration.ofMillis(n);
        case "s":
          return Duration.ofSeconds(n);
        default:
          return Duration.ofMinutes(n);
      }
    }
    throw new IllegalArgumentException(
        key + " / " + envName(key) + ": '" + value + "' (expected: a duration such as 500ms, 5s, 1m)");
  }
}
