package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.servlet.InflightFilter;
import dev.probekit.servlet.ProbeServlet;
import dev.probekit.spring.internal.ContributorAdopter;
import dev.probekit.spring.internal.ProbeWebFilter;
import dev.probekit.spring.internal.ProbekitHealthContributor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Conditions, back-off and property binding, without starting any web server. */
class AutoConfigurationTest {

  private static final AutoConfigurations PROBEKIT =
      AutoConfigurations.of(ProbekitAutoConfiguration.class, ProbekitActuatorAutoConfiguration.class);

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withConfiguration(PROBEKIT);

  @Configuration(proxyBeanMethods = false)
  static class OwnHealth {
    @Bean(destroyMethod = "close")
    HealthRegistry myHealth() {
      return HealthRegistry.builder().defaultInterval(Duration.ofSeconds(42)).build();
    }
  }

  @Test
  void definesHealthEndpointsAndLifecycleByDefault() {
    runner.run(
        context -> {
          assertThat(context).hasSingleBean(HealthRegistry.class);
          assertThat(context).hasSingleBean(ProbeEndpoints.class);
          assertThat(context).hasSingleBean(Lifecycle.class);
          assertThat(context).hasSingleBean(ProbekitHealthContributor.class);
          assertThat(context).hasSingleBean(ContributorAdopter.class);
          // Not a web application: nothing to serve the probes on the main port.
          assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
          assertThat(context).doesNotHaveBean(ProbeWebFilter.class);
          assertThat(context.getBean(ProbeEndpoints.class).path(Probe.READINESS)).isEqualTo("/readyz");
        });
  }

  @Test
  void backsOffWhenTheApplicationDefinesItsOwnHealth() {
    runner
        .withUserConfiguration(OwnHealth.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(HealthRegistry.class);
              assertThat(context).hasBean("myHealth").doesNotHaveBean("probekitHealth");
              assertThat(context.getBean(ProbeEndpoints.class).health())
                  .isSameAs(context.getBean("myHealth"));
            });
  }

  @Test
  void worksWithoutActuatorOnTheClasspath() {
    runner
        .withClassLoader(
            new FilteredClassLoader("org.springframework.boot.health", "org.springframework.boot.actuate"))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasSingleBean(HealthRegistry.class);
              assertThat(context).doesNotHaveBean(ProbekitHealthContributor.class);
              assertThat(context).doesNotHaveBean(ContributorAdopter.class);
            });
  }

  @Test
  void servletApplicationGetsProbeServletsServletAndFilter() {
    new WebApplicationContextRunner()
        .withConfiguration(PROBEKIT)
        .run(
            context -> {
              FilterRegistrationBean<?> filter = context.getBean(FilterRegistrationBean.class);
              assertThat(filter.getFilter()).isInstanceOf(InflightFilter.class);
              ServletRegistrationBean<?> servlet =
                  context.getBean("probekitProbeServlet", ServletRegistrationBean.class);
              assertThat(servlet.getServlet()).isInstanceOf(ProbeServlet.class);
              assertThat(servlet.getUrlMappings())
                  .containsExactly("/livez/*", "/readyz/*", "/startupz/*", "/healthz/*");
            });
  }

  @Test
  void withoutAWebServerThereIsNoMainPortAdapterButTheProbesStillWork() {
    runner
        .withClassLoader(
            new FilteredClassLoader("org.apache.catalina", "reactor.netty", "org.eclipse.jetty"))
        .withPropertyValues("probekit.server.port=0")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean("probekitProbeServlet");
              assertThat(context).doesNotHaveBean(ProbeWebFilter.class);
              dev.probekit.core.server.ProbeServer server = context.getBean(dev.probekit.core.server.ProbeServer.class);
              assertThat(Http.get("http://127.0.0.1:" + server.port(), "/livez").statusCode())
                  .isEqualTo(200);
            });
  }

  @Test
  void reactiveApplicationGetsTheWebFilter() {
    new ReactiveWebApplicationContextRunner()
        .withConfiguration(PROBEKIT)
        .run(
            context -> {
              assertThat(context).hasSingleBean(ProbeWebFilter.class);
              assertThat(context).doesNotHaveBean("probekitProbeServlet");
            });
  }

  @Test
  void disabledByProperty() {
    runner
        .withPropertyValues("probekit.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(HealthRegistry.class);
              assertThat(context).doesNotHaveBean(ProbeEndpoints.class);
            });
  }

  @Test
  void shutdownCanBeTurnedOff() {
    runner
        .withPropertyValues("probekit.shutdown.enabled=false")
        .run(
            context -> {
              assertThat(context).hasSingleBean(HealthRegistry.class);
              assertThat(context).doesNotHaveBean(Lifecycle.class);
            });
  }

  @Test
  void goodValuesBind() {
    runner
        // Without spring-boot-health, so that adopting "ping" and "db" only binds.
        .withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
        .withPropertyValues(
            "probekit.prefix=/health",
            "probekit.details=token",
            "probekit.details-token=s3cret",
            "probekit.default-timeout=750ms",
            "probekit.shutdown.pre-stop-delay=3s",
            "probekit.shutdown.drain-timeout=1m",
            "probekit.shutdown.grace-period=90s",
            "probekit.checks.db.probes=readiness,startup",
            "probekit.checks.db.failure-threshold=3",
            "probekit.actuator.adopt.readiness=ping,db")
        .run(
            context -> {
              ProbekitProperties p = context.getBean(ProbekitProperties.class);
              assertThat(p.getPrefix()).isEqualTo("/health");
              assertThat(p.getDetails()).isEqualTo(ProbekitProperties.Details.TOKEN);
              assertThat(p.getDefaultTimeout()).isEqualTo(Duration.ofMillis(750));
              assertThat(p.getShutdown().getPreStopDelay()).isEqualTo(Duration.ofSeconds(3));
              assertThat(p.getShutdown().getDrainTimeout()).isEqualTo(Duration.ofMinutes(1));
              assertThat(p.getShutdown().getGracePeriod()).isEqualTo(Duration.ofSeconds(90));
              assertThat(p.getChecks().get("db").getProbes())
                  .containsExactlyInAnyOrder(Probe.READINESS, Probe.STARTUP);
              assertThat(p.getChecks().get("db").getFailureThreshold()).isEqualTo(3);
              assertThat(p.getActuator().getAdopt().get(Probe.READINESS)).containsExactly("ping", "db");
              assertThat(p.servesMainPort()).isTrue();
              assertThat(context.getBean(ProbeEndpoints.class).path(Probe.LIVENESS))
                  .isEqualTo("/health/livez");
            });
  }

  @Test
  void badValuesFailStartUpNamingTheProperty() {
    String[][] cases = {
      {"probekit.shutdown.drain-timeout=-1s", "drain-timeout: PT-1S (expected: >= 0)"},
      {"probekit.default-interval=0s", "default-interval: PT0S (expected: > 0)"},
      {"probekit.server.port=70000", "port: 70000 (expected: 0..65535)"},
      {"probekit.checks.db.failure-threshold=0", "failure-threshold: 0 (expected: >= 1)"},
      {"probekit.prefix=health/", "prefix: 'health/'"},
      {"probekit.shutdown.pre-stop-delay=soon", "soon"},
    };
    for (String[] c : cases) {
      runner
          .withPropertyValues(c[0])
          .run(
              context -> {
                assertThat(context).as(c[0]).hasFailed();
                Throwable failure = context.getStartupFailure();
                StringBuilder messages = new StringBuilder();
                for (Throwable t = failure; t != null; t = t.getCause()) {
                  messages.append(t.getMessage()).append('\n');
                }
                assertThat(messages.toString()).as(c[0]).contains(c[1]).contains("probekit");
              });
    }
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void badValueIsReportedBySpringsFailureAnalysis(CapturedOutput output) {
    SpringApplication app =
        new SpringApplicationBuilder(TestApps.Checks.class)
            .web(WebApplicationType.NONE)
            .properties("spring.main.banner-mode=off", "probekit.shutdown.drain-timeout=-5s")
            .build();
    org.assertj.core.api.Assertions.assertThatThrownBy(app::run).isNotNull();
    assertThat(output)
        .contains("APPLICATION FAILED TO START")
        .contains("probekit.shutdown.drain-timeout")
        .contains("expected: >= 0");
  }

  @Test
  void configurationMetadataIsGenerated() throws IOException {
    try (InputStream in =
        getClass().getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(json)
          .contains("\"probekit.shutdown.pre-stop-delay\"")
          .contains("\"probekit.server.port\"")
          .contains("\"probekit.checks\"")
          .contains("\"probekit.actuator.adopt\"")
          .contains("How long to wait for in-flight requests");
    }
  }
}
