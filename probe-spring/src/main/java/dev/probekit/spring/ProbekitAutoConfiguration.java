package dev.probekit.spring;

import dev.probekit.core.DetailsPolicy;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.server.ProbeServer;
import dev.probekit.servlet.InflightFilter;
import dev.probekit.servlet.ProbeServlet;
import dev.probekit.servlet.ProbeServlets;
import dev.probekit.spring.internal.AvailabilityBridge;
import dev.probekit.spring.internal.CheckRegistrar;
import dev.probekit.spring.internal.DrainLifecycles;
import dev.probekit.spring.internal.EarlyProbeServerStart;
import dev.probekit.spring.internal.MainPortProbes;
import dev.probekit.spring.internal.ProbeAnnouncer;
import dev.probekit.spring.internal.ProbePaths;
import dev.probekit.spring.internal.ProbeWebFilter;
import dev.probekit.spring.internal.ProbekitConfigurationException;
import dev.probekit.spring.internal.ShutdownSettings;
import jakarta.servlet.DispatcherType;
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
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration for Probekit in a Spring Boot 4 application.
 *
 * <p>Defines, unless the application defines its own: the {@link HealthRegistry} hub, the {@link
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

  // The beans the probe server needs (HealthRegistry, ProbeEndpoints, Lifecycle, the server) come from
  // static methods: the server is created before the first application bean, when no
  // configuration class instance may exist yet (see EarlyProbeServerStart).

  /** The name of the built-in probe server bean, when {@code probekit.server.port} is set. */
  public static final String PROBE_SERVER_BEAN = "probekitProbeServer";

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ProbekitAutoConfiguration.class);

  /**
   * The Probekit hub; closed with the context.
   *
   * @param properties {@code probekit.*}, for the default interval and timeout
   * @return the hub; readiness and startup held DOWN ("starting") until Spring reports them
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public static HealthRegistry probekitHealth(ProbekitProperties properties) {
    HealthRegistry health =
        HealthRegistry.builder()
            .defaultInterval(properties.getDefaultInterval())
            .defaultTimeout(properties.getDefaultTimeout())
            .build();
    // Held DOWN from the first instant: the separate probe port may answer long before the
    // availability bridge exists. The bridge clears them when Spring says so.
    AvailabilityBridge.holdWhileStarting(health);
    return health;
  }

  /**
   * Who may see details: {@code probekit.details} (and {@code probekit.details-token}). With
   * {@code probekit.details=token} and no token, start-up fails with a report naming the property.
   *
   * @param properties {@code probekit.*}
   * @return the policy
   */
  @Bean
  @ConditionalOnMissingBean
  public static DetailsPolicy probekitDetailsPolicy(ProbekitProperties properties) {
    return detailsPolicy(properties);
  }

  /**
   * The HTTP contract, with the configured prefix and details policy.
   *
   * @param health the hub
   * @param properties {@code probekit.*}, for the prefix
   * @param detailsPolicy who may see details
   * @return the endpoints
   */
  @Bean
  @ConditionalOnMissingBean
  public static ProbeEndpoints probekitEndpoints(
      HealthRegistry health, ProbekitProperties properties, DetailsPolicy detailsPolicy) {
    return ProbeEndpoints.builder(health)
        .prefix(properties.getPrefix())
        .detailsPolicy(detailsPolicy)
        .build();
  }

  /**
   * One INFO line at start-up saying where the probes are served; a WARN where they are fragile.
   *
   * @param mainPort the probes on the application's own port, if served there
   * @param probePort the separate probe server, if {@code probekit.server.port} is set
   * @param properties {@code probekit.*}, for the prefix
   * @param environment to tell whether the application runs on Kubernetes
   * @return the announcer, an application listener
   */
  @Bean
  public ProbeAnnouncer probekitAnnouncer(
      ObjectProvider<MainPortProbes> mainPort,
      ObjectProvider<ProbeServer> probePort,
      ProbekitProperties properties,
      Environment environment) {
    return new ProbeAnnouncer(
        mainPort::getIfAvailable, probePort::getIfAvailable, properties.getPrefix(), environment);
  }

  /**
   * Registers the check beans once every singleton exists.
   *
   * @param health the hub the checks are registered with
   * @param beans where the {@link dev.probekit.core.HealthCheck} and {@link ProbekitCheck} beans
   *     are found
   * @param properties {@code probekit.checks.<name>.*}, which override the options in code
   * @return the registrar
   */
  @Bean
  public CheckRegistrar probekitCheckRegistrar(
      HealthRegistry health, ListableBeanFactory beans, ProbekitProperties properties) {
    return new CheckRegistrar(health, beans, properties);
  }

  /**
   * Keeps {@link ApplicationAvailability} and the probes in step, both ways.
   *
   * @param health the hub
   * @param lifecycle the drain, if any: while it drains, Spring's {@code ACCEPTING_TRAFFIC}
   *     does not clear readiness
   * @param publisher publishes availability changes that come from the probes
   * @param availability Spring's availability state, if present
   * @return the bridge, a listener on both sides
   */
  @Bean
  public AvailabilityBridge probekitAvailabilityBridge(
      HealthRegistry health,
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
        if (token == null || token.isBlank()) {
          throw new ProbekitConfigurationException(
              "probekit.details-token",
              "probekit.details=token shows details to requests carrying"
                  + " 'Authorization: Bearer <token>', but no token is set.",
              "Set probekit.details-token (from a secret, such as an environment variable"
                  + " PROBEKIT_DETAILS_TOKEN), or set probekit.details to never or always.");
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
    static Lifecycle probekitLifecycle(
        HealthRegistry health, ProbekitProperties properties, Environment environment) {
      ProbekitProperties.Shutdown s = properties.getShutdown();
      ShutdownSettings settings = ShutdownSettings.of(s, environment);
      LOG.info("Probekit drain: pre-stop delay {} ({}), drain timeout {}, grace period {}",
          settings.preStopDescription(), settings.reason(), s.getDrainTimeout(), s.getGracePeriod());
      return settings
          .applyPreStop(Lifecycle.builder(health))
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

  /**
   * Servlet stack, on probe-servlet: its {@link ProbeServlet} at the probe paths (under the context
   * path and {@code spring.mvc.servlet.path}) and its {@link InflightFilter} first in the chain.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = {"jakarta.servlet.Filter", "dev.probekit.servlet.ProbeServlet"})
  static class ServletConfiguration {

    @Bean
    ProbePaths probekitMainPortPaths(Environment environment, ProbekitProperties properties) {
      return ProbePaths.servlet(environment, properties.getPrefix());
    }

    @Bean
    MainPortProbes probekitMainPortProbes(
        ProbePaths paths, ProbekitProperties properties, Environment environment) {
      return new MainPortProbes(
          paths, properties.servesMainPort(), true, environment.getProperty("server.address"));
    }

    @Bean
    @ConditionalOnMissingBean(name = "probekitProbeServlet")
    ServletRegistrationBean<ProbeServlet> probekitProbeServlet(
        ProbeEndpoints endpoints,
        DetailsPolicy detailsPolicy,
        ProbePaths paths,
        ProbekitProperties properties,
        ObjectProvider<Lifecycle> lifecycle) {
      ProbeEndpoints main = paths.endpoints(endpoints, detailsPolicy);
      Lifecycle l = lifecycle.getIfAvailable();
      ProbeServlet servlet = l == null ? ProbeServlet.of(main) : ProbeServlet.of(main, l);
      ServletRegistrationBean<ProbeServlet> registration =
          new ServletRegistrationBean<>(
              servlet, paths.servletPatterns(ProbeServlets.urlPatterns(endpoints)));
      registration.setName(ProbeServlets.SERVLET_NAME);
      registration.setLoadOnStartup(1);
      registration.setEnabled(properties.servesMainPort());
      return registration;
    }

    /** Counts application requests for the drain; needs the lifecycle. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "probekit.shutdown.enabled", matchIfMissing = true)
    static class InflightConfiguration {

      @Bean
      @ConditionalOnMissingBean(name = "probekitInflightFilter")
      FilterRegistrationBean<InflightFilter> probekitInflightFilter(
          Lifecycle lifecycle,
          ProbeEndpoints endpoints,
          DetailsPolicy detailsPolicy,
          ProbePaths paths) {
        // Probe paths are never counted: probes must not hold a drain open.
        FilterRegistrationBean<InflightFilter> registration =
            new FilterRegistrationBean<>(
                InflightFilter.of(lifecycle, paths.endpoints(endpoints, detailsPolicy)));
        registration.setName(ProbeServlets.FILTER_NAME);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setAsyncSupported(true);
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        registration.addUrlPatterns("/*");
        return registration;
      }
    }
  }

  /** WebFlux stack: one WebFilter, first in the chain, for probes and in-flight counting. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnClass(name = "org.springframework.web.server.WebFilter")
  static class ReactiveConfiguration {

    @Bean
    MainPortProbes probekitMainPortProbes(ProbekitProperties properties, Environment environment) {
      return new MainPortProbes(
          ProbePaths.reactive(environment, properties.getPrefix()),
          properties.servesMainPort(),
          false,
          environment.getProperty("server.address"));
    }

    @Bean
    @ConditionalOnMissingBean
    ProbeWebFilter probekitWebFilter(
        ProbeEndpoints endpoints,
        ProbekitProperties properties,
        ObjectProvider<Lifecycle> lifecycle) {
      // The base path (spring.webflux.base-path) is stripped by the filter, like a context path.
      Lifecycle l = lifecycle.getIfAvailable();
      if (properties.servesMainPort() && l != null) {
        // Long-poll watchers are released at drain start, even when no status changes then.
        l.wakeWatchersAtDrainStart(endpoints);
      }
      return new ProbeWebFilter(endpoints, properties.servesMainPort(), l);
    }
  }
}
