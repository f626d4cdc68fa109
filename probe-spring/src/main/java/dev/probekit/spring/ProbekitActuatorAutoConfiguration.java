package dev.probekit.spring;

import dev.probekit.core.HealthRegistry;
import dev.probekit.spring.internal.ContributorAdopter;
import dev.probekit.spring.internal.ProbekitHealthContributor;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Probekit with Spring Boot's health support (spring-boot-health, part of Actuator): adopts the
 * health indicators named in {@code probekit.actuator.adopt.<probe>} as background checks, and
 * exposes Probekit's probes as the {@code probekit} health contributor, with members {@code
 * liveness}, {@code readiness} and {@code startup} for Actuator's health groups.
 */
@AutoConfiguration(after = ProbekitAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnBean(HealthRegistry.class)
public class ProbekitActuatorAutoConfiguration {

  /**
   * Adopts the configured indicators once every singleton exists.
   *
   * @param beans where the health indicators are found
   * @param properties {@code probekit.actuator.adopt.<probe>}, the indicators to adopt
   * @return the adopter
   */
  @Bean
  public ContributorAdopter probekitContributorAdopter(
      ListableBeanFactory beans, ProbekitProperties properties) {
    return new ContributorAdopter(beans, properties);
  }

  /**
   * Probekit's probes in Actuator; off with probekit.actuator.contributor=false.
   *
   * @param health the hub
   * @return the contributor
   */
  @Bean
  @ConditionalOnBooleanProperty(name = "probekit.actuator.contributor", matchIfMissing = true)
  public ProbekitHealthContributor probekitHealthContributor(HealthRegistry health) {
    return new ProbekitHealthContributor(health);
  }
}
