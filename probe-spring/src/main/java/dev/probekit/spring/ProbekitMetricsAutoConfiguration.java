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
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Declares Probekit's {@link ProbeMetrics} binder ({@code probekit.check.status}, {@code
 * probekit.probe.status}, {@code probekit.inflight}, ...) as a bean, which Spring Boot's metrics
 * support binds to the application's {@link MeterRegistry} like every {@code MeterBinder} bean.
 *
 * <p>Declared like Boot's own binders (its JVM metrics, for example): after the auto-configurations
 * that define the registry, when Micrometer and Boot's metrics support are on the classpath and a
 * registry exists. Without Boot's metrics support nothing would bind the binder, so none is
 * declared; bind one yourself with {@link ProbeMetrics#bindTo(MeterRegistry)}.
 */
@AutoConfiguration(
    after = {
      ProbekitAutoConfiguration.class,
      MetricsAutoConfiguration.class,
      CompositeMeterRegistryAutoConfiguration.class
    })
@ConditionalOnClass({MeterRegistry.class, MetricsAutoConfiguration.class})
@ConditionalOnBean({HealthRegistry.class, MeterRegistry.class})
public class ProbekitMetricsAutoConfiguration {

  /**
   * The binder of the context's health and, when there is one, its lifecycle. Boot binds it once
   * the singletons exist; closing the context closes it, which removes its listeners and meters.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  ProbeMetrics probekitMetrics(HealthRegistry health, ObjectProvider<Lifecycle> lifecycle) {
    Lifecycle l = lifecycle.getIfAvailable();
    return l == null ? new ProbeMetrics(health) : new ProbeMetrics(health, l);
  }
}
