package dev.probekit.spring;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.Health;
import dev.probekit.core.Lifecycle;
import dev.probekit.core.Probe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.DeprecatedConfigurationProperty;

/**
 * Probekit's {@code probekit.*} configuration properties.
 *
 * <p>Every setter checks its argument at once and throws {@link IllegalArgumentException} with a
 * message like {@code "drain-timeout: -1s (expected: >= 0)"}; Spring Boot reports it at start-up
 * through its failure analysis ("Failed to bind properties under 'probekit...'").
 */
@ConfigurationProperties(prefix = "probekit")
public class ProbekitProperties {

  /** How much a probe response may reveal. */
  public enum Details {
    /** Never show messages, exception text or details maps (the default). */
    NEVER,
    /** Always show them: only for trusted networks. */
    ALWAYS,
    /** Show them to requests carrying {@code Authorization: Bearer <details-token>}. */
    TOKEN
  }

  /** Whether Probekit's auto-configuration is active. */
  private boolean enabled = true;

  /** Path prefix for the probe endpoints, such as "/health" for /health/livez; empty for /livez. */
  private String prefix = "";

  /** How much a probe response may reveal: never, always, or token. */
  private Details details = Details.NEVER;

  /** The bearer token that unlocks details when details=token. */
  private String detailsToken;

  /** Default interval between two runs of a check. */
  private Duration defaultInterval = Health.DEFAULT_INTERVAL;

  /** Default timeout of a check run; a run that exceeds it counts as DOWN. */
  private Duration defaultTimeout = Health.DEFAULT_TIMEOUT;

  /**
   * Whether the probes are also served on the application's main port (servlet or WebFlux), at
   * the context path. Unset: true unless a separate probe port is configured.
   */
  private Boolean serveOnMainPort;

  /** Deprecated name of serve-on-main-port, read when the new one is not set. */
  private Boolean mainPort;

  private final Server server = new Server();

  private final Shutdown shutdown = new Shutdown();

  private final Actuator actuator = new Actuator();

  /** Per-check options, by check name; they override the options given in code. */
  private final Map<String, Check> checks = new LinkedHashMap<>();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getPrefix() {
    return prefix;
  }

  public void setPrefix(String prefix) {
    String p = prefix == null ? "" : prefix.trim();
    if (p.equals("/")) {
      p = "";
    }
    if (!p.isEmpty() && (!p.startsWith("/") || p.endsWith("/") || p.contains("?"))) {
      throw new IllegalArgumentException("prefix: '" + prefix + "' (expected: empty or like /health)");
    }
    this.prefix = p;
  }

  public Details getDetails() {
    return details;
  }

  public void setDetails(Details details) {
    this.details = details == null ? Details.NEVER : details;
  }

  public String getDetailsToken() {
    return detailsToken;
  }

  public void setDetailsToken(String detailsToken) {
    this.detailsToken = detailsToken;
  }

  public Duration getDefaultInterval() {
    return defaultInterval;
  }

  public void setDefaultInterval(Duration defaultInterval) {
    this.defaultInterval = positive("default-interval", defaultInterval);
  }

  public Duration getDefaultTimeout() {
    return defaultTimeout;
  }

  public void setDefaultTimeout(Duration defaultTimeout) {
    this.defaultTimeout = positive("default-timeout", defaultTimeout);
  }

  public Boolean getServeOnMainPort() {
    return serveOnMainPort;
  }

  public void setServeOnMainPort(Boolean serveOnMainPort) {
    this.serveOnMainPort = serveOnMainPort;
  }

  /**
   * The old name of {@link #getServeOnMainPort()}, still read for one release.
   *
   * @deprecated use {@code probekit.serve-on-main-port}: "main-port" read like a port number
   */
  @Deprecated
  @DeprecatedConfigurationProperty(
      replacement = "probekit.serve-on-main-port",
      reason = "reads like a port number; it is whether the main port serves the probes")
  public Boolean getMainPort() {
    return mainPort;
  }

  /**
   * Sets the old name of {@code serve-on-main-port}.
   *
   * @deprecated use {@link #setServeOnMainPort(Boolean)}
   */
  @Deprecated
  public void setMainPort(Boolean mainPort) {
    this.mainPort = mainPort;
  }

  /** Whether the probes are served on the main port, resolving the unset default. */
  public boolean servesMainPort() {
    if (serveOnMainPort != null) {
      return serveOnMainPort;
    }
    return mainPort != null ? mainPort : server.port == null;
  }

  public Server getServer() {
    return server;
  }

  public Shutdown getShutdown() {
    return shutdown;
  }

  public Actuator getActuator() {
    return actuator;
  }

  public Map<String, Check> getChecks() {
    return checks;
  }

  /** The separate probe port, served by Probekit's built-in JDK server. */
  public static class Server {

    /**
     * Port of the built-in probe server (0 for a random one). Unset: no separate server. It
     * starts before the application context finishes refreshing, so that /livez answers during
     * long start-up work.
     */
    private Integer port;

    /** Address the built-in probe server binds to; unset: every interface. */
    private String address;

    public Integer getPort() {
      return port;
    }

    public void setPort(Integer port) {
      if (port != null && (port < 0 || port > 65535)) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
      }
      this.port = port;
    }

    public String getAddress() {
      return address;
    }

    public void setAddress(String address) {
      this.address = address;
    }
  }

  /** The drain that runs inside Spring's shutdown. */
  public static class Shutdown {

    /** Whether the drain runs when the context closes. */
    private boolean enabled = true;

    /**
     * How long to keep serving after readiness turns DOWN, before the web server's graceful
     * shutdown; 0 when the pod already has a preStop sleep.
     */
    private Duration preStopDelay = Lifecycle.DEFAULT_PRE_STOP_DELAY;

    /**
     * With a quiet period: the least the pre-stop step lasts, for balancers that give no signal
     * (kube-proxy); at most the pre-stop delay.
     */
    private Duration preStopMin = Lifecycle.DEFAULT_PRE_STOP_MIN;

    /**
     * Ends the pre-stop step early, once the minimum has passed and no application request has
     * arrived for this long; 0 keeps the fixed pre-stop delay.
     */
    private Duration preStopQuietPeriod = Lifecycle.DEFAULT_PRE_STOP_QUIET_PERIOD;

    /** How long to wait for in-flight requests once the server stopped accepting. */
    private Duration drainTimeout = Lifecycle.DEFAULT_DRAIN_TIMEOUT;

    /** The whole budget, normally the pod's terminationGracePeriodSeconds. */
    private Duration gracePeriod = Lifecycle.DEFAULT_GRACE_PERIOD;

    /** Kept free at the end of the grace period. */
    private Duration safetyMargin = Lifecycle.DEFAULT_SAFETY_MARGIN;

    /**
     * Names of ThreadPoolTaskExecutor / ThreadPoolTaskScheduler beans that do not join the drain
     * (they then shut down as Spring alone would).
     */
    private java.util.List<String> drainExclude = new java.util.ArrayList<>();

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getPreStopDelay() {
      return preStopDelay;
    }

    public void setPreStopDelay(Duration preStopDelay) {
      this.preStopDelay = nonNegative("pre-stop-delay", preStopDelay);
    }

    public Duration getPreStopMin() {
      return preStopMin;
    }

    public void setPreStopMin(Duration preStopMin) {
      this.preStopMin = nonNegative("pre-stop-min", preStopMin);
    }

    public Duration getPreStopQuietPeriod() {
      return preStopQuietPeriod;
    }

    public void setPreStopQuietPeriod(Duration preStopQuietPeriod) {
      this.preStopQuietPeriod = nonNegative("pre-stop-quiet-period", preStopQuietPeriod);
    }

    public Duration getDrainTimeout() {
      return drainTimeout;
    }

    public void setDrainTimeout(Duration drainTimeout) {
      this.drainTimeout = nonNegative("drain-timeout", drainTimeout);
    }

    public Duration getGracePeriod() {
      return gracePeriod;
    }

    public void setGracePeriod(Duration gracePeriod) {
      this.gracePeriod = positive("grace-period", gracePeriod);
    }

    public Duration getSafetyMargin() {
      return safetyMargin;
    }

    public void setSafetyMargin(Duration safetyMargin) {
      this.safetyMargin = nonNegative("safety-margin", safetyMargin);
    }

    public java.util.List<String> getDrainExclude() {
      return drainExclude;
    }

    public void setDrainExclude(java.util.List<String> drainExclude) {
      this.drainExclude = new java.util.ArrayList<>(drainExclude);
    }
  }

  /** Integration with Spring Boot Actuator, when it is on the classpath. */
  public static class Actuator {

    /**
     * Actuator health contributors (by name, such as "db" or "redis") adopted as Probekit checks
     * of each probe: they then run in the background with a timeout instead of on each request.
     */
    private final Map<Probe, List<String>> adopt = new LinkedHashMap<>();

    /** Timeout of an adopted contributor's run. */
    private Duration timeout = Health.DEFAULT_TIMEOUT;

    /** Interval between two runs of an adopted contributor. */
    private Duration interval = Health.DEFAULT_INTERVAL;

    /** Whether Probekit's probes are exposed to Actuator as the "probekit" health contributor. */
    private boolean contributor = true;

    public Map<Probe, List<String>> getAdopt() {
      return adopt;
    }

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = positive("actuator.timeout", timeout);
    }

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = positive("actuator.interval", interval);
    }

    public boolean isContributor() {
      return contributor;
    }

    public void setContributor(boolean contributor) {
      this.contributor = contributor;
    }
  }

  /** Options of one check, applied over those given in code. */
  public static class Check {

    /** Whether the check is registered at all. */
    private boolean enabled = true;

    /** The probes the check belongs to (liveness, readiness, startup). */
    private Set<Probe> probes;

    /** Interval between two runs. */
    private Duration interval;

    /** Timeout of one run. */
    private Duration timeout;

    /** Delay before the first run. */
    private Duration initialDelay;

    /** Consecutive failures before the check turns DOWN. */
    private Integer failureThreshold;

    /** Consecutive successes before the check turns UP again. */
    private Integer successThreshold;

    /** Whether a DOWN result fails the probe (false: shown, never failing). */
    private Boolean required;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Set<Probe> getProbes() {
      return probes;
    }

    public void setProbes(Set<Probe> probes) {
      if (probes != null && probes.isEmpty()) {
        throw new IllegalArgumentException("probes: [] (expected: at least one probe)");
      }
      this.probes = probes == null ? null : EnumSet.copyOf(probes);
    }

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = positive("interval", interval);
    }

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = positive("timeout", timeout);
    }

    public Duration getInitialDelay() {
      return initialDelay;
    }

    public void setInitialDelay(Duration initialDelay) {
      this.initialDelay = nonNegative("initial-delay", initialDelay);
    }

    public Integer getFailureThreshold() {
      return failureThreshold;
    }

    public void setFailureThreshold(Integer failureThreshold) {
      if (failureThreshold != null && failureThreshold < 1) {
        throw new IllegalArgumentException(
            "failure-threshold: " + failureThreshold + " (expected: >= 1)");
      }
      this.failureThreshold = failureThreshold;
    }

    public Integer getSuccessThreshold() {
      return successThreshold;
    }

    public void setSuccessThreshold(Integer successThreshold) {
      if (successThreshold != null && successThreshold < 1) {
        throw new IllegalArgumentException(
            "success-threshold: " + successThreshold + " (expected: >= 1)");
      }
      this.successThreshold = successThreshold;
    }

    public Boolean getRequired() {
      return required;
    }

    public void setRequired(Boolean required) {
      this.required = required;
    }

    /** Applies these properties over {@code base}; unset properties keep the base's values. */
    public CheckOptions applyTo(CheckOptions base) {
      CheckOptions.Builder b;
      if (probes != null) {
        List<Probe> list = new ArrayList<>(probes);
        b = CheckOptions.builder(list.get(0), list.subList(1, list.size()).toArray(new Probe[0]));
        base.interval().ifPresent(b::interval);
        base.timeout().ifPresent(b::timeout);
        base.initialDelay().ifPresent(b::initialDelay);
        b.failureThreshold(base.failureThreshold());
        b.successThreshold(base.successThreshold());
        b.required(base.required());
      } else {
        b = base.toBuilder();
      }
      if (interval != null) {
        b.interval(interval);
      }
      if (timeout != null) {
        b.timeout(timeout);
      }
      if (initialDelay != null) {
        b.initialDelay(initialDelay);
      }
      if (failureThreshold != null) {
        b.failureThreshold(failureThreshold);
      }
      if (successThreshold != null) {
        b.successThreshold(successThreshold);
      }
      if (required != null) {
        b.required(required);
      }
      return b.build();
    }
  }

  static Duration positive(String name, Duration value) {
    if (value != null && (value.isZero() || value.isNegative())) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
    return value;
  }

  static Duration nonNegative(String name, Duration value) {
    if (value != null && value.isNegative()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
    }
    return value;
  }
}
