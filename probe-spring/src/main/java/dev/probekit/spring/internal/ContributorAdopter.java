package dev.probekit.spring.internal;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.Health;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.Probe;
import dev.probekit.spring.ProbekitProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorNameGenerator;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;

/**
 * Adopts the Actuator health contributors named in {@code probekit.actuator.adopt.<probe>} as
 * Probekit checks: each then runs in the background, on its own interval and with a timeout, and
 * a probe request only reads its latest result, so a slow indicator can no longer stall a probe.
 */
public final class ContributorAdopter implements SmartInitializingSingleton {

  private static final Logger log = LoggerFactory.getLogger(ContributorAdopter.class);

  private final Health health;
  private final ListableBeanFactory beans;
  private final ProbekitProperties properties;

  public ContributorAdopter(Health health, ListableBeanFactory beans, ProbekitProperties properties) {
    this.health = health;
    this.beans = beans;
    this.properties = properties;
  }

  @Override
  public void afterSingletonsInstantiated() {
    Map<String, List<Probe>> wanted = new LinkedHashMap<>();
    properties.getActuator().getAdopt().forEach(
        (probe, names) -> {
          for (String name : names) {
            wanted.computeIfAbsent(name.trim(), n -> new ArrayList<>()).add(probe);
          }
        });
    if (wanted.isEmpty()) {
      return;
    }
    Map<String, HealthContributor> contributors = contributors();
    wanted.forEach(
        (name, probes) -> {
          HealthContributor contributor = contributors.get(name);
          if (!(contributor instanceof HealthIndicator)) {
            throw new IllegalStateException(
                "probekit.actuator.adopt: no health indicator named '" + name + "'"
                    + (contributor == null ? "" : " (composite contributors cannot be adopted)")
                    + "; known: " + contributors.keySet());
          }
          if (health.check(name).isPresent()) {
            log.info("check '{}' already registered; contributor not adopted", name);
            return;
          }
          ProbekitProperties.Actuator a = properties.getActuator();
          CheckOptions.Builder b =
              CheckOptions.builder(probes.get(0)).timeout(a.getTimeout()).interval(a.getInterval());
          probes.forEach(b::probe);
          CheckOptions options = b.build();
          ProbekitProperties.Check overrides = properties.getChecks().get(name);
          if (overrides != null) {
            options = overrides.applyTo(options);
          }
          health.register(name, new IndicatorCheck((HealthIndicator) contributor), options);
          log.info("adopted Actuator health indicator '{}' as a check on {}", name, options.probes());
        });
  }

  private Map<String, HealthContributor> contributors() {
    Map<String, HealthContributor> byName = new LinkedHashMap<>();
    for (HealthContributorRegistry registry :
        beans.getBeansOfType(HealthContributorRegistry.class).values()) {
      registry.stream().forEach(e -> byName.putIfAbsent(e.name(), e.contributor()));
    }
    // Without Actuator's registry, fall back to the beans under Actuator's naming rule.
    HealthContributorNameGenerator names = HealthContributorNameGenerator.withoutStandardSuffixes();
    beans.getBeansOfType(HealthContributor.class).forEach(
        (bean, c) -> byName.putIfAbsent(names.generateContributorName(bean), c));
    byName.remove(ProbekitHealthContributor.NAME);
    return byName;
  }

  /** One Actuator indicator as a Probekit check: UP is UP, any other status is DOWN. */
  static final class IndicatorCheck implements HealthCheck {
    private final HealthIndicator indicator;

    IndicatorCheck(HealthIndicator indicator) {
      this.indicator = indicator;
    }

    @Override
    public CheckResult check() {
      org.springframework.boot.health.contributor.Health h = indicator.health(true);
      if (h == null) {
        return CheckResult.down("indicator returned no health");
      }
      Status status = h.getStatus();
      if (Status.UP.equals(status)) {
        return CheckResult.up();
      }
      return CheckResult.down("status " + status.getCode());
    }

    @Override
    public String toString() {
      return "IndicatorCheck{" + indicator + '}';
    }
  }
}
