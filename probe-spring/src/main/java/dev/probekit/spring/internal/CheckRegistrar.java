package dev.probekit.spring.internal;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.spring.ProbekitCheck;
import dev.probekit.spring.ProbekitProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Registers every {@link ProbekitCheck} and {@link HealthCheck} bean, and every check of a {@link
 * CheckSource} (adopted Actuator indicators), with the {@link HealthRegistry} once all singletons exist,
 * applying {@code probekit.checks.<name>.*} over the options from code: one rule for every check,
 * whatever registered it. A {@code probekit.checks.<name>} that matches no check gets one WARN that
 * lists the names that exist.
 */
public final class CheckRegistrar implements SmartInitializingSingleton {

  private static final Logger log = LoggerFactory.getLogger(CheckRegistrar.class);

  private final HealthRegistry health;
  private final ListableBeanFactory beans;
  private final ProbekitProperties properties;

  public CheckRegistrar(HealthRegistry health, ListableBeanFactory beans, ProbekitProperties properties) {
    this.health = health;
    this.beans = beans;
    this.properties = properties;
  }

  @Override
  public void afterSingletonsInstantiated() {
    Map<String, ProbekitCheck> all = new LinkedHashMap<>();
    beans.getBeansOfType(HealthCheck.class).forEach(
        (beanName, check) -> all.put(beanName, ProbekitCheck.of(beanName, check, Probe.READINESS)));
    for (ProbekitCheck check : beans.getBeansOfType(ProbekitCheck.class).values()) {
      all.put(check.name(), check);
    }
    for (CheckSource source : beans.getBeansOfType(CheckSource.class).values()) {
      for (ProbekitCheck check : source.checks()) {
        all.putIfAbsent(check.name(), check);
      }
    }
    for (ProbekitCheck check : all.values()) {
      register(check);
    }
    List<String> unknown = new ArrayList<>();
    for (String name : properties.getChecks().keySet()) {
      if (!all.containsKey(name) && health.check(name).isEmpty()) {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      log.warn(
          "probekit.checks.{} configure{} no check: no check has {} name; the checks are {}",
          unknown.size() == 1 ? unknown.get(0) : unknown,
          unknown.size() == 1 ? "s" : "",
          unknown.size() == 1 ? "that" : "such a",
          all.keySet());
    }
  }

  private void register(ProbekitCheck check) {
    String name = check.name();
    ProbekitProperties.Check overrides = properties.getChecks().get(name);
    if (overrides != null && !overrides.isEnabled()) {
      log.info("check '{}' disabled by probekit.checks.{}.enabled=false", name, name);
      return;
    }
    if (health.check(name).isPresent()) {
      // The application registered it in code on its own HealthRegistry: its registration wins.
      log.info("check '{}' already registered; bean not registered again", name);
      return;
    }
    CheckOptions options = overrides == null ? check.options() : overrides.applyTo(check.options());
    health.register(name, check.check(), options);
  }
}
