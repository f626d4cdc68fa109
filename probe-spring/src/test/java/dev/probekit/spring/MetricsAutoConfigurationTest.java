package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.micrometer.ProbeMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The starter declares Probekit's binder and Boot's metrics support binds it to the context's
 * registry; it backs off without a registry, without Micrometer or without Boot's metrics support.
 */
class MetricsAutoConfigurationTest {

  private static final AtomicBoolean DB_UP = new AtomicBoolean(true);

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  MetricsAutoConfiguration.class,
                  ProbekitAutoConfiguration.class,
                  ProbekitMetricsAutoConfiguration.class));

  @Configuration(proxyBeanMethods = false)
  static class Registry {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }

    @Bean
    ProbekitCheck db() {
      return ProbekitCheck.of(
          "db",
          () -> DB_UP.get() ? CheckResult.up() : CheckResult.down("gone"),
          CheckOptions.builder(Probe.READINESS).interval(Duration.ofMillis(50)).build());
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBinder {
    @Bean
    ProbeMetrics myMetrics(HealthRegistry health) {
      return new ProbeMetrics(health);
    }
  }

  @Test
  void checkStatusGaugeFollowsTheCheckInTheContextsRegistry() {
    DB_UP.set(true);
    runner
        .withUserConfiguration(Registry.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(ProbeMetrics.class);
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              await()
                  .atMost(Duration.ofSeconds(10))
                  .until(() -> gauge(registry) == 1.0);
              DB_UP.set(false);
              await()
                  .atMost(Duration.ofSeconds(10))
                  .until(() -> gauge(registry) == 0.0);
              assertThat(registry.find("probekit.probe.status").tag("probe", "readiness").gauge())
                  .isNotNull();
              assertThat(registry.find("probekit.inflight").gauge()).isNotNull();
            });
  }

  @Test
  void bindsNothingWithoutARegistryOrWithoutMicrometer() {
    runner.run(context -> assertThat(context).doesNotHaveBean(ProbeMetrics.class));
    runner
        .withClassLoader(new FilteredClassLoader("io.micrometer"))
        .run(
            context -> {
              assertThat(context).hasSingleBean(HealthRegistry.class);
              assertThat(context).doesNotHaveBean(ProbeMetrics.class);
            });
    // Nothing would bind it: the application binds one itself if it wants the meters.
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                ProbekitAutoConfiguration.class, ProbekitMetricsAutoConfiguration.class))
        .withUserConfiguration(Registry.class)
        .withClassLoader(new FilteredClassLoader("org.springframework.boot.micrometer.metrics"))
        .run(context -> assertThat(context).doesNotHaveBean(ProbeMetrics.class));
  }

  @Test
  void anApplicationsOwnBinderReplacesTheStarters() {
    runner
        .withUserConfiguration(Registry.class)
        .withUserConfiguration(OwnBinder.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(ProbeMetrics.class);
              assertThat(context).hasBean("myMetrics");
            });
  }

  private static double gauge(MeterRegistry registry) {
    var gauge =
        registry.find("probekit.check.status").tag("check", "db").tag("probe", "readiness").gauge();
    return gauge == null ? Double.NaN : gauge.value();
  }
}
