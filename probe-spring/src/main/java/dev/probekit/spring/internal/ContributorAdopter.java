package dev.probekit.spring.internal;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.Probe;
import dev.probekit.spring.ProbekitCheck;
import dev.probekit.spring.ProbekitProperties;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorNameGenerator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;

/**
 * Adopts the Actuator health contributors named in {@code probekit.actuator.adopt.<probe>} as
 * Probekit checks: each then runs in the background, on its own interval and with a timeout, and
 * a probe request only reads its latest result, so a slow indicator can no longer stall a probe.
 * {@link CheckRegistrar} registers them like every other check, so {@code
 * probekit.checks.<name>.*} (including {@code enabled=false}) applies to them too. An adopted
 * indicator keeps its Actuator details: they show in verbose and JSON output when the details
 * policy allows.
 */
public final class ContributorAdopter implements CheckSource {

  private static final Logger log = LoggerFactory.getLogger(ContributorAdopter.class);

  private final ListableBeanFactory beans;
  private final ProbekitProperties properties;

  public ContributorAdopter(ListableBeanFactory beans, ProbekitProperties properties) {
    this.beans = beans;
    this.properties = properties;
  }

  @Override
  public Collection<ProbekitCheck> checks() {
    Map<String, List<Probe>> wanted = new LinkedHashMap<>();
    properties.getActuator().getAdopt().forEach(
        (probe, names) -> {
          for (String name : names) {
            wanted.computeIfAbsent(name.trim(), n -> new ArrayList<>()).add(probe);
          }
        });
    if (wanted.isEmpty()) {
      return List.of();
    }
    Map<String, HealthContributor> contributors = contributors();
    List<ProbekitCheck> adopted = new ArrayList<>();
    wanted.forEach(
        (name, probes) -> {
          HealthContributor contributor = contributors.get(name);
          if (!(contributor instanceof HealthIndicator)) {
            String property = "probekit.actuator.adopt." + probes.get(0).name().toLowerCase(Locale.ROOT);
            throw new ProbekitConfigurationException(
                property,
                (contributor == null
                        ? "no Actuator health indicator is named '" + name + "'"
                        : "'" + name + "' is a composite contributor, which cannot be adopted")
                    + "; the indicators are " + indicatorNames(contributors) + ".",
                "Remove '" + name + "' from " + property + ", or name one of "
                    + indicatorNames(contributors) + ".");
          }
          ProbekitProperties.Actuator a = properties.getActuator();
          CheckOptions.Builder b =
              CheckOptions.builder(probes.get(0)).timeout(a.getTimeout()).interval(a.getInterval());
          probes.forEach(b::probe);
          adopted.add(
              ProbekitCheck.of(name, new IndicatorCheck((HealthIndicator) contributor), b.build()));
          log.info("adopting Actuator health indicator '{}' as a check on {}", name, probes);
        });
    return adopted;
  }

  private static List<String> indicatorNames(Map<String, HealthContributor> contributors) {
    List<String> names = new ArrayList<>();
    contributors.forEach(
        (n, c) -> {
          if (c instanceof HealthIndicator) {
            names.add(n);
          }
        });
    return names;
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
      Health h = indicator.health(true);
      if (h == null) {
        return CheckResult.down("indicator returned no health");
      }
      Status status = h.getStatus();
      CheckResult result =
          Status.UP.equals(status) ? CheckResult.up() : CheckResult.down("status " + status.getCode());
      // Actuator's details (a database's name, a disk's free space) stay with the result; the
      // details policy decides whether a response shows them.
      for (Map.Entry<String, Object> detail : h.getDetails().entrySet()) {
        if (detail.getKey() != null && detail.getValue() != null) {
          result = result.withDetail(detail.getKey(), detail.getValue());
        }
      }
      return result;
    }

    @Override
    public String toString() {
      return "IndicatorCheck{" + indicator + '}';
    }
  }
}
