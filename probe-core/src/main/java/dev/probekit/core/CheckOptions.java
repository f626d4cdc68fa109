package dev.probekit.core;

import static dev.probekit.core.internal.Arguments.positive;

import dev.probekit.core.internal.Arguments;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a check is registered: which probes it belongs to, how often it runs, how long a run may
 * take, how many results flip it, and whether it can fail its probes.
 *
 * <p>Interval, timeout and initial delay left unset inherit the {@link HealthRegistry}'s defaults ({@link
 * HealthRegistry.Builder#defaultInterval(Duration)}, {@link HealthRegistry.Builder#defaultTimeout(Duration)}), so a
 * global setting can be overridden per check.
 *
 * <pre>{@code
 * CheckOptions.builder(Probe.READINESS)
 *     .interval(Duration.ofSeconds(5))
 *     .timeout(Duration.ofSeconds(1))
 *     .failureThreshold(3)
 *     .build();
 * }</pre>
 */
public final class CheckOptions {

  /** Default number of consecutive failures that turn a check DOWN: {@value}. */
  public static final int DEFAULT_FAILURE_THRESHOLD = 1;

  /** Default number of consecutive successes that turn a check UP: {@value}. */
  public static final int DEFAULT_SUCCESS_THRESHOLD = 1;

  private final Set<Probe> probes;
  private final Duration interval;
  private final Duration timeout;
  private final Duration initialDelay;
  private final int failureThreshold;
  private final int successThreshold;
  private final boolean required;

  private CheckOptions(Builder b) {
    this.probes = Collections.unmodifiableSet(EnumSet.copyOf(b.probes));
    this.interval = b.interval;
    this.timeout = b.timeout;
    this.initialDelay = b.initialDelay;
    this.failureThreshold = b.failureThreshold;
    this.successThreshold = b.successThreshold;
    this.required = b.required;
  }

  /**
   * Options with every default for a check in the given probes.
   *
   * @param probe the first probe
   * @param more further probes
   * @return the options
   */
  public static CheckOptions of(Probe probe, Probe... more) {
    return builder(probe, more).build();
  }

  /**
   * A builder for a check in the given probes.
   *
   * @param probe the first probe
   * @param more further probes
   * @return a new builder
   */
  public static Builder builder(Probe probe, Probe... more) {
    return new Builder(probe, more);
  }

  /** {@return the probes this check belongs to; never empty} */
  public Set<Probe> probes() {
    return probes;
  }

  /** {@return the interval between runs, if set here rather than inherited} */
  public Optional<Duration> interval() {
    return Optional.ofNullable(interval);
  }

  /** {@return the timeout of one run, if set here rather than inherited} */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /** {@return the delay before the first run, if set here rather than inherited (default: none)} */
  public Optional<Duration> initialDelay() {
    return Optional.ofNullable(initialDelay);
  }

  /** {@return consecutive failures that turn the check DOWN} */
  public int failureThreshold() {
    return failureThreshold;
  }

  /** {@return consecutive successes that turn the check UP} */
  public int successThreshold() {
    return successThreshold;
  }

  /** {@return whether the check can fail its probes; optional checks are only reported} */
  public boolean required() {
    return required;
  }

  /** {@return a builder initialised with these options} */
  public Builder toBuilder() {
    Builder b = new Builder(probes);
    b.interval = interval;
    b.timeout = timeout;
    b.initialDelay = initialDelay;
    b.failureThreshold = failureThreshold;
    b.successThreshold = successThreshold;
    b.required = required;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CheckOptions)) {
      return false;
    }
    CheckOptions that = (CheckOptions) o;
    return failureThreshold == that.failureThreshold
        && successThreshold == that.successThreshold
        && required == that.required
        && probes.equals(that.probes)
        && Objects.equals(interval, that.interval)
        && Objects.equals(timeout, that.timeout)
        && Objects.equals(initialDelay, that.initialDelay);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        probes, interval, timeout, initialDelay, failureThreshold, successThreshold, required);
  }

  @Override
  public String toString() {
    return "CheckOptions{probes="
        + probes
        + ", interval="
        + interval
        + ", timeout="
        + timeout
        + ", initialDelay="
        + initialDelay
        + ", failureThreshold="
        + failureThreshold
        + ", successThreshold="
        + successThreshold
        + ", required="
        + required
        + '}';
  }

  /** Builds {@link CheckOptions}. Each setter checks its argument at once. */
  public static final class Builder {
    private final EnumSet<Probe> probes;
    private Duration interval;
    private Duration timeout;
    private Duration initialDelay;
    private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
    private int successThreshold = DEFAULT_SUCCESS_THRESHOLD;
    private boolean required = true;

    Builder(Probe probe, Probe... more) {
      Objects.requireNonNull(probe, "probe");
      this.probes = EnumSet.of(probe);
      for (Probe p : Objects.requireNonNull(more, "more")) {
        probes.add(Objects.requireNonNull(p, "probe"));
      }
    }

    private Builder(Set<Probe> probes) {
      this.probes = EnumSet.copyOf(probes);
    }

    /**
     * Adds a probe this check belongs to.
     *
     * @param probe one more probe
     * @return this builder
     */
    public Builder probe(Probe probe) {
      probes.add(Objects.requireNonNull(probe, "probe"));
      return this;
    }

    /**
     * The interval between the starts of two runs; default {@link HealthRegistry#DEFAULT_INTERVAL}.
     *
     * @param interval the interval; positive
     * @return this builder
     */
    public Builder interval(Duration interval) {
      this.interval = positive("interval", interval);
      return this;
    }

    /**
     * How long one run may take before it counts as DOWN; default {@link HealthRegistry#DEFAULT_TIMEOUT}.
     *
     * @param timeout the timeout; positive
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = positive("timeout", timeout);
      return this;
    }

    /**
     * The delay before the first run; default zero, so a new check is known quickly.
     *
     * @param initialDelay the delay; zero or positive
     * @return this builder
     */
    public Builder initialDelay(Duration initialDelay) {
      Objects.requireNonNull(initialDelay, "initialDelay");
      if (initialDelay.isNegative()) {
        throw new IllegalArgumentException("initialDelay: " + initialDelay + " (expected: >= 0)");
      }
      this.initialDelay = initialDelay;
      return this;
    }

    /**
     * Consecutive failures that turn the check DOWN; default {@value #DEFAULT_FAILURE_THRESHOLD}.
     *
     * @param failureThreshold at least 1
     * @return this builder
     */
    public Builder failureThreshold(int failureThreshold) {
      Arguments.atLeastOne("failureThreshold", failureThreshold);
      this.failureThreshold = failureThreshold;
      return this;
    }

    /**
     * Consecutive successes that turn the check UP; default {@value #DEFAULT_SUCCESS_THRESHOLD}.
     *
     * @param successThreshold at least 1
     * @return this builder
     */
    public Builder successThreshold(int successThreshold) {
      Arguments.atLeastOne("successThreshold", successThreshold);
      this.successThreshold = successThreshold;
      return this;
    }

    /**
     * Whether the check can fail its probes (default {@code true}). An optional check is shown in
     * verbose and JSON output but never fails a probe.
     *
     * @param required {@code false} for an optional check
     * @return this builder
     */
    public Builder required(boolean required) {
      this.required = required;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return new options
     */
    public CheckOptions build() {
      return new CheckOptions(this);
    }
  }
}
