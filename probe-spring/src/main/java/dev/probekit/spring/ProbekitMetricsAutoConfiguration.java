package dev.probekit.spring;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.micrometer.ProbeMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Binds Probekit's meters ({@code probekit.check.status}, {@code probekit.probe.status}, {@code
 * probekit.inflight}, ...) to the context's {@link MeterRegistry}, when Micrometer is on the
 * classpath and a registry exists. Runs after Spring Boot's own metrics auto-configuration, so
 * the registry it binds to is the one Actuator exports.
 */
@AutoConfiguration(
    after = ProbekitAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
@ConditionalOnBean({HealthRegistry.class, MeterRegistry.class})
public class ProbekitMetricsAutoConfiguration {

  /** The bound meters; removed from the registry when the context closes. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  ProbeMetrics probekitMetrics(
      HealthRegistry health, ObjectProvider<Lifecycle> lifecycle, MeterRegistry registry) {
    Lifecycle l = lifecycle.getIfAvailable();
    return l == null ? ProbeMetrics.bind(health, registry) : ProbeMetrics.bind(health, l, registry);
  }
}
