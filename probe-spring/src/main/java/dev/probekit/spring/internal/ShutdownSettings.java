package dev.probekit.spring.internal;

import dev.probekit.spring.ProbekitProperties;
import java.time.Duration;
import org.springframework.boot.cloud.CloudPlatform;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The drain settings as they apply here, checked at start-up.
 *
 * <p>The pre-stop delay exists for endpoint removal to reach load balancers and kube-proxy. It
 * runs on Kubernetes (Boot's {@link CloudPlatform} detection) or wherever {@code
 * probekit.shutdown.pre-stop-delay} is set explicitly; elsewhere (a test framework closing its
 * cached contexts, Ctrl-C on a laptop) the context closes without waiting.
 */
public final class ShutdownSettings {

  /** The property whose explicit setting makes the pre-stop delay run everywhere. */
  public static final String PRE_STOP_DELAY = "probekit.shutdown.pre-stop-delay";

  private final Duration preStopDelay;
  private final String reason;

  private ShutdownSettings(Duration preStopDelay, String reason) {
    this.preStopDelay = preStopDelay;
    this.reason = reason;
  }

  /**
   * The settings of {@code shutdown} in {@code environment}.
   *
   * @throws ProbekitConfigurationException when pre-stop delay + drain timeout + safety margin
   *     exceed the grace period
   */
  public static ShutdownSettings of(ProbekitProperties.Shutdown shutdown, Environment environment) {
    Duration configured = shutdown.getPreStopDelay();
    Duration needed = configured.plus(shutdown.getDrainTimeout()).plus(shutdown.getSafetyMargin());
    if (needed.compareTo(shutdown.getGracePeriod()) > 0) {
      throw new ProbekitConfigurationException(
          "probekit.shutdown.grace-period",
          "pre-stop-delay (" + configured + ") + drain-timeout (" + shutdown.getDrainTimeout()
              + ") + safety-margin (" + shutdown.getSafetyMargin() + ") = " + needed
              + " do not fit in grace-period (" + shutdown.getGracePeriod() + "): Kubernetes"
              + " would kill the pod with SIGKILL before the drain ends.",
          "Set probekit.shutdown.grace-period to the pod's terminationGracePeriodSeconds and"
              + " raise it (terminationGracePeriodSeconds too) to at least " + needed
              + ", or lower probekit.shutdown.pre-stop-delay or probekit.shutdown.drain-timeout.");
    }
    boolean explicit = Binder.get(environment).bind(PRE_STOP_DELAY, Duration.class).isBound();
    boolean kubernetes = CloudPlatform.getActive(environment) == CloudPlatform.KUBERNETES;
    if (explicit) {
      return new ShutdownSettings(configured, "set by " + PRE_STOP_DELAY);
    }
    if (kubernetes) {
      return new ShutdownSettings(configured, "on Kubernetes");
    }
    return new ShutdownSettings(
        Duration.ZERO, "not on Kubernetes and " + PRE_STOP_DELAY + " not set");
  }

  /** The pre-stop delay that applies: the configured one, or zero off Kubernetes. */
  public Duration preStopDelay() {
    return preStopDelay;
  }

  /** Why the delay is what it is, for the start-up log. */
  public String reason() {
    return reason;
  }
}
