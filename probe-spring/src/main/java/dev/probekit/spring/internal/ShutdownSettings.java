package dev.probekit.spring.internal;

import dev.probekit.core.lifecycle.Lifecycle;
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

  /** The adaptive pre-stop step's minimum. */
  public static final String PRE_STOP_MIN = "probekit.shutdown.pre-stop-min";

  /** The adaptive pre-stop step's quiet period. */
  public static final String PRE_STOP_QUIET_PERIOD = "probekit.shutdown.pre-stop-quiet-period";

  private final Duration preStopDelay;
  private final String reason;
  /** Null: leave the lifecycle's minimum and quiet period alone (a fixed, possibly zero, delay). */
  private final Duration preStopMin;
  private final Duration preStopQuietPeriod;

  private ShutdownSettings(
      Duration preStopDelay, String reason, Duration preStopMin, Duration preStopQuietPeriod) {
    this.preStopDelay = preStopDelay;
    this.reason = reason;
    this.preStopMin = preStopMin;
    this.preStopQuietPeriod = preStopQuietPeriod;
  }

  /**
   * The settings of {@code shutdown} in {@code environment}.
   *
   * @throws ProbekitConfigurationException when pre-stop delay + drain timeout + safety margin
   *     exceed the grace period, or the pre-stop minimum is above the pre-stop delay (with a quiet
   *     period, or the minimum set explicitly)
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
    Binder binder = Binder.get(environment);
    Duration min = shutdown.getPreStopMin();
    Duration quiet = shutdown.getPreStopQuietPeriod();
    boolean minSet = binder.bind(PRE_STOP_MIN, Duration.class).isBound();
    // As in the core builder: the default minimum only applies once a quiet period is set.
    if ((minSet || !quiet.isZero()) && min.compareTo(configured) > 0) {
      throw new ProbekitConfigurationException(
          PRE_STOP_MIN,
          "pre-stop-min (" + min + ") is above pre-stop-delay (" + configured + "), the"
              + " pre-stop maximum: the adaptive pre-stop step could never end as configured.",
          "Lower " + PRE_STOP_MIN + " to at most " + configured + ", or raise "
              + PRE_STOP_DELAY + " (and the grace period with it).");
    }
    boolean explicit = binder.bind(PRE_STOP_DELAY, Duration.class).isBound();
    boolean kubernetes = CloudPlatform.getActive(environment) == CloudPlatform.KUBERNETES;
    if (explicit) {
      return new ShutdownSettings(configured, "set by " + PRE_STOP_DELAY, min, quiet);
    }
    if (kubernetes) {
      return new ShutdownSettings(configured, "on Kubernetes", min, quiet);
    }
    return new ShutdownSettings(
        Duration.ZERO, "not on Kubernetes and " + PRE_STOP_DELAY + " not set", null, null);
  }

  /**
   * Applies the pre-stop settings to {@code builder}: the delay (the maximum) and, where the delay
   * runs and a quiet period is set, the minimum and quiet period.
   */
  public Lifecycle.Builder applyPreStop(Lifecycle.Builder builder) {
    builder.preStopDelay(preStopDelay);
    // Without a quiet period the minimum does not apply: leave the builder's default alone, so it
    // is not checked against a short fixed delay.
    if (preStopQuietPeriod != null && !preStopQuietPeriod.isZero()) {
      builder.preStopMin(preStopMin).preStopQuietPeriod(preStopQuietPeriod);
    }
    return builder;
  }

  /** How the pre-stop step runs, for the start-up log: {@code 5s} or {@code 1s..10s, quiet 1s}. */
  public String preStopDescription() {
    return preStopQuietPeriod == null || preStopQuietPeriod.isZero()
        ? String.valueOf(preStopDelay)
        : preStopMin + ".." + preStopDelay
            + " (ends after " + preStopQuietPeriod + " without requests)";
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
