package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.server.ProbeServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * {@code probekit.checks.<name>.*} applies to every check whatever registered it (HealthCheck
 * beans, ProbekitCheck beans, adopted Actuator indicators); a name that matches nothing gets one
 * WARN listing the names that exist; adopted indicators keep their Actuator details.
 */
@ExtendWith(OutputCaptureExtension.class)
class CheckPropertiesTest {

  @Import(TestApps.Checks.class)
  static class App {
    @Bean
    HealthIndicator diskHealthIndicator() {
      return () ->
          Health.up()
              .withDetail("free", 1234L)
              .withDetail("path", "/data")
              .build();
    }

    @Bean
    HealthIndicator queueHealthIndicator() {
      return () ->
          Health.outOfService()
              .withDetail("lag", 42)
              .build();
    }
  }

  private static ConfigurableApplicationContext start(String... properties) {
    return new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.NONE)
        .properties(
            "spring.main.banner-mode=off",
            "probekit.server.port=0",
            "probekit.server.address=127.0.0.1",
            "probekit.default-interval=100ms",
            "probekit.checks.cache.required=false")
        .properties(properties)
        .run();
  }

  private static String base(ConfigurableApplicationContext context) {
    return "http://127.0.0.1:" + context.getBean(ProbeServer.class).port();
  }

  @Test
  void enabledFalseTurnsOffAnAdoptedIndicatorLikeAnyOtherCheck(CapturedOutput output) {
    try (ConfigurableApplicationContext context =
        start(
            "probekit.actuator.adopt.readiness=disk,queue",
            "probekit.checks.queue.enabled=false",
            "probekit.checks.db.enabled=false",
            "probekit.checks.heartbeat.enabled=false")) {
      HealthRegistry health = context.getBean(HealthRegistry.class);
      assertThat(health.check("disk")).isPresent();
      assertThat(health.check("queue")).isEmpty();
      assertThat(health.check("db")).isEmpty();
      assertThat(health.check("heartbeat")).isEmpty();
      assertThat(output).doesNotContain("configures no check").doesNotContain("configure no check");
      // queue (OUT_OF_SERVICE) is off, so readiness turns UP.
      await().atMost(Duration.ofSeconds(10))
          .until(() -> Http.get(base(context), "/readyz").statusCode() == 200);
    }
  }

  @Test
  void adoptedIndicatorTakesItsOptionsFromProbekitChecks() {
    try (ConfigurableApplicationContext context =
        start(
            "probekit.actuator.adopt.readiness=queue",
            "probekit.checks.queue.required=false",
            "probekit.checks.queue.probes=readiness,startup")) {
      HealthRegistry health = context.getBean(HealthRegistry.class);
      var queue = health.check("queue").orElseThrow();
      assertThat(queue.required()).isFalse();
      assertThat(queue.probes())
          .containsExactlyInAnyOrder(dev.probekit.core.Probe.READINESS, dev.probekit.core.Probe.STARTUP);
      // Optional: the OUT_OF_SERVICE indicator shows, but never fails readiness.
      await().atMost(Duration.ofSeconds(10))
          .until(() -> Http.get(base(context), "/readyz").statusCode() == 200);
      assertThat(Http.get(base(context), "/readyz?verbose").body()).contains("[~]queue failed");
    }
  }

  @Test
  void aNameThatMatchesNoCheckGetsOneWarnListingTheNames(CapturedOutput output) {
    try (ConfigurableApplicationContext context =
        start("probekit.actuator.adopt.readiness=disk", "probekit.checks.dbb.timeout=1s")) {
      assertThat(output)
          .containsOnlyOnce("probekit.checks.dbb configures no check")
          .contains("the checks are [db, switch, cache, heartbeat, disk]");
    }
  }

  @Test
  void adoptedIndicatorKeepsItsDetailsInVerboseAndJsonWhenDetailsAreAllowed() {
    try (ConfigurableApplicationContext context =
        start("probekit.actuator.adopt.readiness=disk,queue", "probekit.details=always")) {
      String base = base(context);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> Http.get(base, "/readyz?format=json").body().contains("\"lag\""));
      String json = Http.get(base, "/readyz?format=json").body();
      assertThat(json).contains("\"free\":1234").contains("\"path\":\"/data\"").contains("\"lag\":42");
      assertThat(Http.get(base, "/readyz?verbose").body()).contains("[-]queue failed: status OUT_OF_SERVICE");
    }
  }

  @Test
  void adoptedIndicatorDetailsAreWithheldByDefault() {
    try (ConfigurableApplicationContext context = start("probekit.actuator.adopt.readiness=disk")) {
      String base = base(context);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> Http.get(base, "/readyz?format=json").body().contains("\"disk\""));
      assertThat(Http.get(base, "/readyz?format=json").body()).doesNotContain("/data").doesNotContain("1234");
    }
  }
}
