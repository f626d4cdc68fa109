package dev.probekit.core.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Reads settings from system properties and environment variables: {@code probekit.a.b-c} is
 * also looked up as {@code PROBEKIT_A_B_C}; the system property wins.
 */
public final class Settings {
  /** A number with a unit, or ISO-8601: a bare number of milliseconds is too easy to misread. */
  private static final Pattern WITH_UNIT =
      Pattern.compile("\\s*(0|\\d{1,12}\\s*(ns|us|ms|s|m|h|d)|[Pp]\\S+)\\s*", Pattern.CASE_INSENSITIVE);

  private Settings() {}

  /** A copy of {@link System#getProperties()} as a map of strings. */
  public static Map<String, String> systemProperties() {
    Properties properties = System.getProperties();
    Map<String, String> copy = new HashMap<>();
    for (String name : properties.stringPropertyNames()) {
      copy.put(name, properties.getProperty(name));
    }
    return copy;
  }

  /** {@code probekit.shutdown.pre-stop-delay} becomes {@code PROBEKIT_SHUTDOWN_PRE_STOP_DELAY}. */
  public static String environmentName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * Where a setting was found and its raw value, or {@code null} when it is set nowhere.
   *
   * @param key the system property name
   */
  public static Found find(String key, Map<String, String> systemProperties, Map<String, String> env) {
    String value = systemProperties.get(key);
    if (value != null) {
      return new Found("system property " + key, value);
    }
    String envName = environmentName(key);
    value = env.get(envName);
    if (value != null) {
      return new Found("environment variable " + envName, value);
    }
    return null;
  }

  /**
   * Parses the duration setting {@code key}, if set, and hands it to {@code setter}.
   *
   * @throws IllegalArgumentException naming where the setting came from and its value, when the
   *     value is not a duration or the setter rejects it
   */
  public static void duration(
      String key,
      Map<String, String> systemProperties,
      Map<String, String> env,
      Consumer<Duration> setter) {
    Found found = find(key, systemProperties, env);
    if (found == null) {
      return;
    }
    Duration value;
    try {
      if (!WITH_UNIT.matcher(found.value).matches()) {
        throw new IllegalArgumentException("no unit");
      }
      value = Durations.parse(found.value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          found.where
              + ": '"
              + found.value
              + "' (expected: a duration with a unit, such as 500ms, 5s, 1m)");
    }
    try {
      setter.accept(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          found.where + ": '" + found.value + "' is not allowed: " + e.getMessage(), e);
    }
  }

  /** A setting's origin and raw value. */
  public static final class Found {
    /** Such as {@code "system property probekit.shutdown.grace-period"}. */
    public final String where;
    /** The raw value. */
    public final String value;

    Found(String where, String value) {
      this.where = where;
      this.value = value;
    }
  }
}
