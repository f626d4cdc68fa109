package dev.probekit.spring.internal;

import dev.probekit.spring.ProbekitCheck;
import java.util.Collection;

/**
 * Checks that come from elsewhere than a {@code HealthCheck} or {@link ProbekitCheck} bean (adopted
 * Actuator indicators). {@link CheckRegistrar} registers them with the beans, so that {@code
 * probekit.checks.<name>.*} applies to every check the same way.
 */
public interface CheckSource {

  /**
   * The checks, with the options their source gives them.
   *
   * @throws ProbekitConfigurationException when the source's own settings are invalid
   */
  Collection<ProbekitCheck> checks();
}
