package dev.probekit.spring;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.Probe;
import java.util.Objects;

/**
 * A {@link HealthCheck} with its name and {@link CheckOptions}, declared as a Spring bean.
 *
 * <p>The auto-configuration registers every {@code ProbekitCheck} bean with its own name and
 * options, and every plain {@code HealthCheck} bean under its bean name on {@link
 * Probe#READINESS} with the default options. In both cases {@code probekit.checks.<name>.*}
 * properties override the options given in code.
 *
 * <pre>{@code
 * @Bean
 * ProbekitCheck database(DataSource ds) {
 *   return ProbekitCheck.of("db", () -> ..., CheckOptions.builder(Probe.READINESS).timeout(Duration.ofMillis(500)).build());
 * }
 * }</pre>
 */
public final class ProbekitCheck {

  private final String name;
  private final HealthCheck check;
  private final CheckOptions options;

  private ProbekitCheck(String name, HealthCheck check, CheckOptions options) {
    this.name = name;
    this.check = check;
    this.options = options;
  }

  /**
   * Returns a check named {@code name} with {@code options}.
   *
   * @param name the check's name; {@code probekit.checks.<name>.*} configure it
   * @param check the check
   * @param options its probes, schedule and thresholds
   * @return the check bean
   * @throws IllegalArgumentException if {@code name} is empty or contains '/'
   */
  public static ProbekitCheck of(String name, HealthCheck check, CheckOptions options) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.indexOf('/') >= 0) {
      throw new IllegalArgumentException("name: '" + name + "' (expected: non-empty, no '/')");
    }
    return new ProbekitCheck(
        name, Objects.requireNonNull(check, "check"), Objects.requireNonNull(options, "options"));
  }

  /**
   * Returns a check named {@code name} on {@code probe} with the default options.
   *
   * @param name the check's name; {@code probekit.checks.<name>.*} configure it
   * @param check the check
   * @param probe the probe it decides
   * @return the check bean
   * @throws IllegalArgumentException if {@code name} is empty or contains '/'
   */
  public static ProbekitCheck of(String name, HealthCheck check, Probe probe) {
    return of(name, check, CheckOptions.of(probe));
  }

  /**
   * The check's name, as shown in verbose output and used in {@code /<probe>/<name>}.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The check itself.
   *
   * @return the check
   */
  public HealthCheck check() {
    return check;
  }

  /**
   * The options given in code, before {@code probekit.checks.<name>.*} are applied.
   *
   * @return the options
   */
  public CheckOptions options() {
    return options;
  }

  @Override
  public String toString() {
    return "ProbekitCheck{" + name + ", " + options + '}';
  }
}
