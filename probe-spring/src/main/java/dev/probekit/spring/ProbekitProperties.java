package dev.probekit.spring;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.StreamRegistry;
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
  private Duration defaultInterval = HealthRegistry.DEFAULT_INTERVAL;

  /** Default timeout of a check run; a run that exceeds it counts as DOWN. */
  private Duration defaultTimeout = HealthRegistry.DEFAULT_TIMEOUT;

  /**
   * Whether the probes are also served on the application's main port (servlet or WebFlux), at
   * the context path. Unset: true unless a separate probe port is configured.
   */
  private Boolean serveOnMainPort;

  /** Deprecated name of serve-on-main-port, read when the new one is not set. */
  private Boolean mainPort;

  /** The separate probe port, served by Probekit's built-in JDK server. */
  private final Server server = new Server();

  /** The drain that runs inside Spring's shutdown. */
  private final Shutdown shutdown = new Shutdown();

  /** Integration with Spring Boot Actuator, when it is on the classpath. */
  private final Actuator actuator = new Actuator();

  /** Per-check options, by check name; they override the options given in code. */
  private final Map<String, Check> checks = new LinkedHashMap<>();

  /** {@return whether Probekit's auto-configuration is active; default {@code true}} */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets whether Probekit's auto-configuration is active.
   *
   * @param enabled {@code false} to turn it off
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * {@return the path prefix of the probe endpoints, such as {@code "/health"}; empty (the default)
   * for none}
   */
  public String getPrefix() {
    return prefix;
  }

  /**
   * Sets the path prefix of the probe endpoints.
   *
   * @param prefix such as {@code "/health"}; {@code null}, empty or {@code "/"} for none;
   *     surrounding blanks are ignored
   * @throws IllegalArgumentException if it does not start with {@code '/'}, ends with one, or
   *     holds a query ({@code ?})
   */
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

  /** {@return how much a probe response may reveal; default {@link Details#NEVER}} */
  public Details getDetails() {
    return details;
  }

  /**
   * Sets how much a probe response may reveal.
   *
   * @param details the policy; {@code null} for {@link Details#NEVER}
   */
  public void setDetails(Details details) {
    this.details = details == null ? Details.NEVER : details;
  }

  /** {@return the bearer token that unlocks details with {@link Details#TOKEN}, or {@code null}} */
  public String getDetailsToken() {
    return detailsToken;
  }

  /**
   * Sets the bearer token that unlocks details with {@link Details#TOKEN}.
   *
   * @param detailsToken the token
   */
  public void setDetailsToken(String detailsToken) {
    this.detailsToken = detailsToken;
  }

  /**
   * {@return the default interval between two runs of a check; default {@link
   * HealthRegistry#DEFAULT_INTERVAL}}
   */
  public Duration getDefaultInterval() {
    return defaultInterval;
  }

  /**
   * Sets the default interval between two runs of a check.
   *
   * @param defaultInterval the interval; positive
   * @throws IllegalArgumentException if zero or negative
   */
  public void setDefaultInterval(Duration defaultInterval) {
    this.defaultInterval = positive("default-interval", defaultInterval);
  }

  /** {@return the default timeout of a check run; default {@link HealthRegistry#DEFAULT_TIMEOUT}} */
  public Duration getDefaultTimeout() {
    return defaultTimeout;
  }

  /**
   * Sets the default timeout of a check run; a run that exceeds it counts as DOWN.
   *
   * @param defaultTimeout the timeout; positive
   * @throws IllegalArgumentException if zero or negative
   */
  public void setDefaultTimeout(Duration defaultTimeout) {
    this.defaultTimeout = positive("default-timeout", defaultTimeout);
  }

  /**
   * {@return whether the probes are also served on the main port, or {@code null} (the default) for
   * true unless a separate probe port is configured; see {@link #servesMainPort()}}
   */
  public Boolean getServeOnMainPort() {
    return serveOnMainPort;
  }

  /**
   * Sets whether the probes are also served on the application's main port.
   *
   * @param serveOnMainPort {@code null} for true unless a separate probe port is configured
   */
  public void setServeOnMainPort(Boolean serveOnMainPort) {
    this.serveOnMainPort = serveOnMainPort;
  }

  /**
   * The old name of {@link #getServeOnMainPort()}, still read for one release.
   *
   * @return whether the probes are also served on the main port, or {@code null} if unset
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
   * @param mainPort read only when {@code serve-on-main-port} is not set
   * @deprecated use {@link #setServeOnMainPort(Boolean)}
   */
  @Deprecated
  public void setMainPort(Boolean mainPort) {
    this.mainPort = mainPort;
  }

  /**
   * Whether the probes are served on the main port, resolving the unset default: {@code
   * serve-on-main-port} if set, else the deprecated {@code main-port} if set, else whether no
   * separate probe port is configured.
   *
   * @return whether the main port serves the probes
   */
  public boolean servesMainPort() {
    if (serveOnMainPort != null) {
      return serveOnMainPort;
    }
    return mainPort != null ? mainPort : server.port == null;
  }

  /** {@return the separate probe port's settings ({@code probekit.server.*})} */
  public Server getServer() {
    return server;
  }

  /** {@return the drain's settings ({@code probekit.shutdown.*})} */
  public Shutdown getShutdown() {
    return shutdown;
  }

  /** {@return the Actuator integration's settings ({@code probekit.actuator.*})} */
  public Actuator getActuator() {
    return actuator;
  }

  /**
   * {@return the per-check options by check name ({@code probekit.checks.<name>.*}); mutable, as
   * Spring binds into it}
   */
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

    /**
     * {@return the port of the built-in probe server (0 for a random one), or {@code null} (the
     * default) for no separate server}
     */
    public Integer getPort() {
      return port;
    }

    /**
     * Sets the port of the built-in probe server.
     *
     * @param port 0 to 65535 (0 for a random one); {@code null} for no separate server
     * @throws IllegalArgumentException if out of range
     */
    public void setPort(Integer port) {
      if (port != null && (port < 0 || port > 65535)) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
      }
      this.port = port;
    }

    /**
     * {@return the address the built-in probe server binds to, or {@code null} (the default) for
     * every interface}
     */
    public String getAddress() {
      return address;
    }

    /**
     * Sets the address the built-in probe server binds to.
     *
     * @param address a host name or IP address; {@code null} for every interface
     */
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

    /**
     * How long the tracked streams (server-sent events, streaming fluxes) may take to end once the
     * drain starts; a stream still open then counts as abandoned instead of holding the shutdown.
     */
    private Duration streamBudget = StreamRegistry.DEFAULT_BUDGET;

    /** {@return whether the drain runs when the context closes; default {@code true}} */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether the drain runs when the context closes.
     *
     * @param enabled {@code false} to leave the shutdown to Spring alone
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * {@return how long to keep serving after readiness turns DOWN; default {@link
     * Lifecycle#DEFAULT_PRE_STOP_DELAY}}
     */
    public Duration getPreStopDelay() {
      return preStopDelay;
    }

    /**
     * Sets how long to keep serving after readiness turns DOWN; see {@link
     * Lifecycle.Builder#preStopDelay(Duration)}.
     *
     * @param preStopDelay the delay; zero or positive
     * @throws IllegalArgumentException if negative
     */
    public void setPreStopDelay(Duration preStopDelay) {
      this.preStopDelay = nonNegative("pre-stop-delay", preStopDelay);
    }

    /**
     * {@return the least an adaptive pre-stop step lasts; default {@link
     * Lifecycle#DEFAULT_PRE_STOP_MIN}}
     */
    public Duration getPreStopMin() {
      return preStopMin;
    }

    /**
     * Sets the least an adaptive pre-stop step lasts; see {@link
     * Lifecycle.Builder#preStopMin(Duration)}.
     *
     * @param preStopMin the least duration; zero or positive
     * @throws IllegalArgumentException if negative
     */
    public void setPreStopMin(Duration preStopMin) {
      this.preStopMin = nonNegative("pre-stop-min", preStopMin);
    }

    /**
     * {@return the quiet period that ends the pre-stop step early; default {@link
     * Lifecycle#DEFAULT_PRE_STOP_QUIET_PERIOD} (zero: the fixed delay)}
     */
    public Duration getPreStopQuietPeriod() {
      return preStopQuietPeriod;
    }

    /**
     * Sets the quiet period that ends the pre-stop step early; see {@link
     * Lifecycle.Builder#preStopQuietPeriod(Duration)}.
     *
     * @param preStopQuietPeriod the quiet period; zero for the fixed delay
     * @throws IllegalArgumentException if negative
     */
    public void setPreStopQuietPeriod(Duration preStopQuietPeriod) {
      this.preStopQuietPeriod = nonNegative("pre-stop-quiet-period", preStopQuietPeriod);
    }

    /**
     * {@return the longest wait for in-flight requests; default {@link
     * Lifecycle#DEFAULT_DRAIN_TIMEOUT}}
     */
    public Duration getDrainTimeout() {
      return drainTimeout;
    }

    /**
     * Sets the longest wait for in-flight requests once the server stopped accepting.
     *
     * @param drainTimeout the timeout; zero or positive
     * @throws IllegalArgumentException if negative
     */
    public void setDrainTimeout(Duration drainTimeout) {
      this.drainTimeout = nonNegative("drain-timeout", drainTimeout);
    }

    /**
     * {@return the whole budget of the sequence; default {@link Lifecycle#DEFAULT_GRACE_PERIOD}}
     */
    public Duration getGracePeriod() {
      return gracePeriod;
    }

    /**
     * Sets the whole budget, normally the pod's {@code terminationGracePeriodSeconds}.
     *
     * @param gracePeriod the grace period; positive
     * @throws IllegalArgumentException if zero or negative
     */
    public void setGracePeriod(Duration gracePeriod) {
      this.gracePeriod = positive("grace-period", gracePeriod);
    }

    /**
     * {@return the time kept free at the end of the grace period; default {@link
     * Lifecycle#DEFAULT_SAFETY_MARGIN}}
     */
    public Duration getSafetyMargin() {
      return safetyMargin;
    }

    /**
     * Sets the time kept free at the end of the grace period.
     *
     * @param safetyMargin the margin; zero or positive
     * @throws IllegalArgumentException if negative
     */
    public void setSafetyMargin(Duration safetyMargin) {
      this.safetyMargin = nonNegative("safety-margin", safetyMargin);
    }

    /**
     * {@return the names of executor and scheduler beans that do not join the drain; default none}
     */
    public java.util.List<String> getDrainExclude() {
      return drainExclude;
    }

    /**
     * Sets the names of executor and scheduler beans that do not join the drain.
     *
     * @param drainExclude bean names; copied
     */
    public void setDrainExclude(java.util.List<String> drainExclude) {
      this.drainExclude = new java.util.ArrayList<>(drainExclude);
    }

    /**
     * {@return how long the tracked streams may take to end once the drain starts; default {@link
     * StreamRegistry#DEFAULT_BUDGET}}
     */
    public Duration getStreamBudget() {
      return streamBudget;
    }

    /**
     * Sets how long the tracked streams may take to end once the drain starts; see {@link
     * StreamRegistry#of(String, Duration)}.
     *
     * @param streamBudget the budget; zero or positive
     * @throws IllegalArgumentException if negative
     */
    public void setStreamBudget(Duration streamBudget) {
      this.streamBudget = nonNegative("stream-budget", streamBudget);
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
    private Duration timeout = HealthRegistry.DEFAULT_TIMEOUT;

    /** Interval between two runs of an adopted contributor. */
    private Duration interval = HealthRegistry.DEFAULT_INTERVAL;

    /** Whether Probekit's probes are exposed to Actuator as the "probekit" health contributor. */
    private boolean contributor = true;

    /**
     * {@return the Actuator health contributors adopted as checks, by probe; mutable, as Spring
     * binds into it}
     */
    public Map<Probe, List<String>> getAdopt() {
      return adopt;
    }

    /**
     * {@return the timeout of an adopted contributor's run; default {@link HealthRegistry#DEFAULT_TIMEOUT}}
     */
    public Duration getTimeout() {
      return timeout;
    }

    /**
     * Sets the timeout of an adopted contributor's run.
     *
     * @param timeout the timeout; positive
     * @throws IllegalArgumentException if zero or negative
     */
    public void setTimeout(Duration timeout) {
      this.timeout = positive("actuator.timeout", timeout);
    }

    /**
     * {@return the interval between two runs of an adopted contributor; default {@link
     * HealthRegistry#DEFAULT_INTERVAL}}
     */
    public Duration getInterval() {
      return interval;
    }

    /**
     * Sets the interval between two runs of an adopted contributor.
     *
     * @param interval the interval; positive
     * @throws IllegalArgumentException if zero or negative
     */
    public void setInterval(Duration interval) {
      this.interval = positive("actuator.interval", interval);
    }

    /**
     * {@return whether Probekit's probes are exposed to Actuator as the {@code probekit} health
     * contributor; default {@code true}}
     */
    public boolean isContributor() {
      return contributor;
    }

    /**
     * Sets whether Probekit's probes are exposed to Actuator as a health contributor.
     *
     * @param contributor {@code false} to keep them out of Actuator's health
     */
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

    /** {@return whether the check is registered at all; default {@code true}} */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether the check is registered at all.
     *
     * @param enabled {@code false} to leave the check out
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** {@return the probes the check belongs to, or {@code null} to keep those given in code} */
    public Set<Probe> getProbes() {
      return probes;
    }

    /**
     * Sets the probes the check belongs to.
     *
     * @param probes at least one probe; copied; {@code null} to keep those given in code
     * @throws IllegalArgumentException if empty
     */
    public void setProbes(Set<Probe> probes) {
      if (probes != null && probes.isEmpty()) {
        throw new IllegalArgumentException("probes: [] (expected: at least one probe)");
      }
      this.probes = probes == null ? null : EnumSet.copyOf(probes);
    }

    /** {@return the interval between two runs, or {@code null} to keep the one given in code} */
    public Duration getInterval() {
      return interval;
    }

    /**
     * Sets the interval between two runs.
     *
     * @param interval the interval; positive; {@code null} to keep the one given in code
     * @throws IllegalArgumentException if zero or negative
     */
    public void setInterval(Duration interval) {
      this.interval = positive("interval", interval);
    }

    /** {@return the timeout of one run, or {@code null} to keep the one given in code} */
    public Duration getTimeout() {
      return timeout;
    }

    /**
     * Sets the timeout of one run.
     *
     * @param timeout the timeout; positive; {@code null} to keep the one given in code
     * @throws IllegalArgumentException if zero or negative
     */
    public void setTimeout(Duration timeout) {
      this.timeout = positive("timeout", timeout);
    }

    /** {@return the delay before the first run, or {@code null} to keep the one given in code} */
    public Duration getInitialDelay() {
      return initialDelay;
    }

    /**
     * Sets the delay before the first run.
     *
     * @param initialDelay the delay; zero or positive; {@code null} to keep the one given in code
     * @throws IllegalArgumentException if negative
     */
    public void setInitialDelay(Duration initialDelay) {
      this.initialDelay = nonNegative("initial-delay", initialDelay);
    }

    /**
     * {@return the consecutive failures before the check turns DOWN, or {@code null} to keep the
     * number given in code}
     */
    public Integer getFailureThreshold() {
      return failureThreshold;
    }

    /**
     * Sets the consecutive failures before the check turns DOWN.
     *
     * @param failureThreshold at least 1; {@code null} to keep the number given in code
     * @throws IllegalArgumentException if below 1
     */
    public void setFailureThreshold(Integer failureThreshold) {
      if (failureThreshold != null && failureThreshold < 1) {
        throw new IllegalArgumentException(
            "failure-threshold: " + failureThreshold + " (expected: >= 1)");
      }
      this.failureThreshold = failureThreshold;
    }

    /**
     * {@return the consecutive successes before the check turns UP again, or {@code null} to keep
     * the number given in code}
     */
    public Integer getSuccessThreshold() {
      return successThreshold;
    }

    /**
     * Sets the consecutive successes before the check turns UP again.
     *
     * @param successThreshold at least 1; {@code null} to keep the number given in code
     * @throws IllegalArgumentException if below 1
     */
    public void setSuccessThreshold(Integer successThreshold) {
      if (successThreshold != null && successThreshold < 1) {
        throw new IllegalArgumentException(
            "success-threshold: " + successThreshold + " (expected: >= 1)");
      }
      this.successThreshold = successThreshold;
    }

    /**
     * {@return whether a DOWN result fails the probe, or {@code null} to keep what was given in
     * code}
     */
    public Boolean getRequired() {
      return required;
    }

    /**
     * Sets whether a DOWN result fails the probe.
     *
     * @param required {@code false} to show the check without it ever failing its probes;
     *     {@code null} to keep what was given in code
     */
    public void setRequired(Boolean required) {
      this.required = required;
    }

    /**
     * Applies these properties over {@code base}; unset properties keep the base's values. When
     * {@code probes} is set it replaces the base's probes.
     *
     * @param base the options given in code
     * @return the options to register the check with
     */
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
