package dev.probekit.spring;

import dev.probekit.core.DetailsPolicy;
import dev.probekit.core.Health;
import dev.probekit.core.Lifecycle;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.ProbeServer;
import dev.probekit.spring.internal.AvailabilityBridge;
import dev.probekit.spring.internal.CheckRegistrar;
import dev.probekit.spring.internal.DrainLifecycles;
import dev.probekit.spring.internal.EarlyProbeServerStart;
import dev.probekit.spring.internal.ProbeServletFilter;
import dev.probekit.spring.internal.ProbeWebFilter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Auto-configuration for Probekit in a Spring Boot 4 application.
 *
 * <p>Defines, unless the application defines its own: the {@link Health} hub, the {@link
 * ProbeEndpoints} and the {@link Lifecycle}. Registers every {@link ProbekitCheck} and {@link
 * dev.probekit.core.HealthCheck} bean; serves the probes on the main port (servlet or WebFlux)
 * and/or on a separate port ({@code probekit.server.port}); keeps Spring's {@link
 * ApplicationAvailability} in step with the probes; and runs the drain inside Spring's shutdown
 * phases. Disabled by {@code probekit.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "probekit.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ProbekitProperties.class)
public class ProbekitAutoConfiguration {

  // The beans the probe server needs (Health, ProbeEndpoints, Lifecycle, the server) come from
  // static methods: the server is created before the first application bean, when no
  // configuration class instance may exist yet (see EarlyProbeServerStart).

  /** The name of the built-in probe server bean, when {@code probekit.server.port} is set. */
  public static final String PROBE_SERVER_BEAN = "probekitProbeServer";

  /** The Probekit hub; closed with the context. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public static Health probekitHealth(ProbekitProperties properties) {
    Health health =
        Health.builder()
            .defaultInterval(properties.getDefaultInterval())
            .defaultTimeout(properties.getDefaultTimeout())
            .build();
    // Held DOWN from the first instant: the separate probe port may answer long before the
    // availability bridge exists. The bridge clears them when Spring says so.
    AvailabilityBridge.holdWhileStarting(health);
    return health;
  }

  /** The HTTP contract, with the configured prefix and details policy. */
  @Bean
  @ConditionalOnMissingBean
  public static ProbeEndpoints probekitEndpoints(Health health, ProbekitProperties properties) {
    return ProbeEndpoints.builder(health)
        .prefix(properties.getPrefix())
        .detailsPolicy(detailsPolicy(properties))
        .build();
  }

  /** Registers the check beans once every singleton exists. */
  @Bean
  public CheckRegistrar probekitCheckRegistrar(
      Health health, ListableBeanFactory beans, ProbekitProperties properties) {
    return new CheckRegistrar(health, beans, properties);
  }

  /** Keeps {@link ApplicationAvailability} and the probes in step, both ways. */
  @Bean
  public AvailabilityBridge probekitAvailabilityBridge(
      Health health,
      ObjectProvider<Lifecycle> lifecycle,
      ApplicationEventPublisher publisher,
      ObjectProvider<ApplicationAvailability> availability) {
    return new AvailabilityBridge(
        health, lifecycle::getIfAvailable, publisher, availability::getIfAvailable);
  }

  static DetailsPolicy detailsPolicy(ProbekitProperties properties) {
    switch (properties.getDetails()) {
      case ALWAYS:
        return DetailsPolicy.always();
      case TOKEN:
        String token = properties.getDetailsToken();
        if (token == null || token.isEmpty()) {
          throw new IllegalStateException(
              "probekit.details=token needs probekit.details-token to be set");
        }
        return DetailsPolicy.bearerToken(token);
      default:
        return DetailsPolicy.never();
    }
  }

  /** The drain, mapped onto Spring's shutdown phases; off with probekit.shutdown.enabled=false. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBooleanProperty(name = "probekit.shutdown.enabled", matchIfMissing = true)
  static class ShutdownConfiguration {

    @Bean
    @ConditionalOnMissingBean
    static Lifecycle probekitLifecycle(Health health, ProbekitProperties properties) {
      ProbekitProperties.Shutdown s = properties.getShutdown();
      return Lifecycle.builder(health)
          .preStopDelay(s.getPreStopDelay())
          .drainTimeout(s.getDrainTimeout())
          .gracePeriod(s.getGracePeriod())
          .safetyMargin(s.getSafetyMargin())
          // Spring's own shutdown hook closes the context, which runs the drain; Probekit must
          // not exit the JVM or install a second hook.
          .exitOnSignal(false)
          .build();
    }

    @Bean
    SmartLifecycle probekitPreStopLifecycle(Lifecycle lifecycle) {
      return DrainLifecycles.preStop(lifecycle);
    }

    @Bean
    SmartLifecycle probekitDrainLifecycle(Lifecycle lifecycle) {
      return DrainLifecycles.drain(lifecycle);
    }
  }

  /** The built-in probe server on its own port, started before the application's beans. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = "probekit.server.port")
  static class SeparatePortConfiguration {

    @Bean
    static EarlyProbeServerStart probekitEarlyProbeServerStart() {
      return new EarlyProbeServerStart(PROBE_SERVER_BEAN);
    }

    @Bean(name = PROBE_SERVER_BEAN, destroyMethod = "close")
    static ProbeServer probekitProbeServer(
        ProbeEndpoints endpoints, ProbekitProperties properties, ObjectProvider<Lifecycle> lifecycle)
        throws UnknownHostException {
      ProbekitProperties.Server s = properties.getServer();
      ProbeServer.Builder b = ProbeServer.builder(endpoints).port(s.getPort());
      if (s.getAddress() != null && !s.getAddress().isEmpty()) {
        b.bindAddress(InetAddress.getByName(s.getAddress()));
      }
      b.closeConnections(
          () -> {
            Lifecycle l = lifecycle.getIfAvailable();
            return l != null && l.isDraining();
          });
      return b.start();
    }
  }

  /** Servlet stack: one filter, first in the chain, for probes and in-flight counting. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = "jakarta.servlet.Filter")
  static class ServletConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "probekitServletFilter")
    FilterRegistrationBean<ProbeServletFilter> probekitServletFilter(
        ProbeEndpoints endpoints,
        ProbekitProperties properties,
        ObjectProvider<Lifecycle> lifecycle) {
      FilterRegistrationBean<ProbeServletFilter> registration =
          new FilterRegistrationBean<>(
              new ProbeServletFilter(
                  endpoints, properties.servesMainPort(), lifecycle.getIfAvailable()));
      registration.setName("probekitServletFilter");
      registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
      registration.setAsyncSupported(true);
      return registration;
    }
  }

  /** WebFlux stack: one WebFilter, first in the chain, for probes and in-flight counting. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnClass(name = "org.springframework.web.server.WebFilter")
  static class ReactiveConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ProbeWebFilter probekitWebFilter(
        ProbeEndpoints endpoints,
        ProbekitProperties properties,
        ObjectProvider<Lifecycle> lifecycle) {
      return new ProbeWebFilter(endpoints, properties.servesMainPort(), lifecycle.getIfAvailable());
    }
  }
}
