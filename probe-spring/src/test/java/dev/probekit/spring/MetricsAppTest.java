package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.micrometer.ProbeMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.ref.WeakReference;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A real Boot application (Tomcat on a random port, Actuator's metrics): Boot itself binds the
 * starter's {@link ProbeMetrics} bean to the application's registry, the meters are served by
 * {@code /actuator/metrics}, and closing the context leaves nothing attached to a health that
 * outlives it.
 */
class MetricsAppTest {

  private static final AtomicBoolean DB_UP = new AtomicBoolean(true);

  /** A health owned by the test, not the context: it outlives the context, as a leak would. */
  private static HealthRegistry outliving;

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    // Jetty is on the test classpath too, and Boot would pick it: this app is the Tomcat one.
    @Bean
    org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory tomcat() {
      return new org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory();
    }

    @Bean(destroyMethod = "")
    HealthRegistry health() {
      return outliving;
    }

    @Bean
    ProbekitCheck db() {
      return ProbekitCheck.of(
          "db",
          () -> DB_UP.get() ? CheckResult.up() : CheckResult.down("gone"),
          CheckOptions.builder(Probe.READINESS).interval(Duration.ofMillis(50)).build());
    }
  }

  @Test
  void bootBindsTheBinderBeanAndClosingTheContextDetachesIt() {
    DB_UP.set(true);
    outliving = HealthRegistry.builder().defaultInterval(Duration.ofMillis(50)).build();
    try (HealthRegistry health = outliving) {
      ConfigurableApplicationContext context =
          new SpringApplicationBuilder(App.class)
              .web(WebApplicationType.SERVLET)
              .properties(
                  "server.port=0",
                  "server.address=127.0.0.1",
                  "spring.main.register-shutdown-hook=false",
                  "probekit.shutdown.pre-stop-delay=0s",
                  "management.endpoints.web.exposure.include=metrics")
              .run();
      String base =
          "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
      MeterRegistry registry = context.getBean(MeterRegistry.class);

      // One binder, ours, and Boot bound it: the meters are in the application's registry.
      assertThat(context.getBeansOfType(ProbeMetrics.class)).hasSize(1);
      assertThat(context.getBeansOfType(MeterBinder.class)).containsValue(context.getBean(ProbeMetrics.class));
      await().atMost(Duration.ofSeconds(10)).until(() -> checkStatus(registry) == 1.0);
      assertThat(registry.get("probekit.probe.status").tag("probe", "readiness").gauge()).isNotNull();
      assertThat(registry.find("probekit.inflight").gauge()).isNotNull();
      assertThat(registry.find("probekit.shutdown.phase").timers()).isNotEmpty();
      assertThat(registry.find("probekit.check.status").tag("check", "db").gauges())
          .as("bound once, not once per registry bean or binding pass")
          .hasSize(1);

      HttpResponse<String> served = Http.get(base, "/actuator/metrics/probekit.check.status?tag=check:db");
      assertThat(served.statusCode()).isEqualTo(200);
      assertThat(served.body()).contains("\"name\":\"probekit.check.status\"").contains("\"value\":1.0");

      DB_UP.set(false);
      await().atMost(Duration.ofSeconds(10)).until(() -> checkStatus(registry) == 0.0);

      WeakReference<ProbeMetrics> binder = new WeakReference<>(context.getBean(ProbeMetrics.class));
      context.close();

      assertThat(registry.find("probekit.check.status").gauges()).isEmpty();
      assertThat(registry.find("probekit.probe.status").gauges()).isEmpty();
      // The health lives on; a listener left on it (or on anything it holds) would keep the
      // binder reachable, and would keep registering meters for new checks.
      health.register("later", CheckResult::up, CheckOptions.of(Probe.READINESS));
      assertThat(registry.find("probekit.check.status").tag("check", "later").gauges()).isEmpty();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                System.gc();
                return binder.get() == null;
              });
    }
  }

  private static double checkStatus(MeterRegistry registry) {
    Gauge gauge =
        registry.find("probekit.check.status").tag("check", "db").tag("probe", "readiness").gauge();
    return gauge == null ? Double.NaN : gauge.value();
  }
}
