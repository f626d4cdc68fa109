package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The contract and the availability bridge on a servlet (Tomcat) application. */
class ServletAppTest extends AbstractMainPortContractTest {

  @RestController
  static class Hello {
    @GetMapping("/hello")
    String hello() {
      return "hello";
    }
  }

  /** An Actuator indicator that takes 1.5 s, as a slow database ping would. */
  static class SlowIndicator implements HealthIndicator {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public Health health() {
      calls.incrementAndGet();
      try {
        Thread.sleep(1500); // the indicator's own slowness, not a test wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Health.down().build();
      }
      return Health.up().build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class ActuatorBits {
    @Bean
    SlowIndicator slowHealthIndicator() {
      return new SlowIndicator();
    }
  }

  @Import({TestApps.Checks.class, Hello.class, ActuatorBits.class})
  static class App {
    // Jetty is on the test classpath too, and Boot would pick it: this app is the Tomcat one.
    @Bean
    org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory tomcat() {
      return new org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory();
    }
  }

  static final String[] ACTUATOR = {
    "probekit.actuator.adopt.readiness=slow",
    "probekit.actuator.timeout=300ms",
    "probekit.actuator.interval=500ms",
    "probekit.checks.slow.required=false",
    "management.endpoints.web.exposure.include=health",
    "management.endpoint.health.show-details=always",
    "management.endpoint.health.probes.enabled=true",
    "management.endpoint.health.group.k8s.include=probekit",
  };

  @Test
  void adoptedSlowIndicatorRunsInTheBackgroundAndDoesNotSlowTheProbe() {
    awaitReady();
    SlowIndicator slow = context.getBean(SlowIndicator.class);
    await().atMost(Duration.ofSeconds(5))
        .until(() -> Http.get(base, "/readyz?verbose").body().contains("slow failed"));
    assertThat(slow.calls.get()).isGreaterThan(0);
    long worst = 0;
    for (int i = 0; i < 20; i++) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = Http.get(base, "/readyz");
      worst = Math.max(worst, System.nanoTime() - t0);
      assertThat(r.statusCode()).isEqualTo(200);
    }
    // The indicator takes 1.5 s; the probe only reads the latest result.
    assertThat(Duration.ofNanos(worst)).isLessThan(Duration.ofMillis(300));
    // Actuator's own endpoint still calls the indicator on the request: the contrast.
    long t0 = System.nanoTime();
    Http.send(base, "GET", "/actuator/health", null, Duration.ofSeconds(10));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(1000));
  }

  @Test
  void probekitProbesAppearInActuatorHealthGroups() {
    awaitReady();
    HttpResponse<String> group = Http.get(base, "/actuator/health/k8s");
    assertThat(group.statusCode()).isEqualTo(200);
    assertThat(group.body()).contains("\"probekit\"").contains("\"readiness\"").contains("\"liveness\"");
    TestApps.Switch s = context.getBean(TestApps.Switch.class);
    s.up.set(false);
    try {
      await().atMost(Duration.ofSeconds(5))
          .until(() -> Http.get(base, "/actuator/health/k8s").statusCode() == 503);
      // Boot's own readiness group follows Probekit through ApplicationAvailability.
      await().atMost(Duration.ofSeconds(5))
          .until(() -> Http.get(base, "/actuator/health/readiness").statusCode() == 503);
    } finally {
      s.up.set(true);
    }
    awaitReady();
    await().atMost(Duration.ofSeconds(5))
        .until(() -> Http.get(base, "/actuator/health/readiness").statusCode() == 200);
  }

  @BeforeAll
  void start() {
    context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.SERVLET)
            .properties(PROPERTIES)
            .properties(ACTUATOR)
            .run();
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    base = "http://127.0.0.1:" + port;
  }
}
