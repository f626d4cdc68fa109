package dev.probekit.core.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.lifecycle.Lifecycle;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** What Prometheus scrapes: the names and labels docs/metrics.md and its alert examples rely on. */
class ProbeMetricsPrometheusTest {

  @Test
  void scrapeShowsSnakeCaseNamesWithCheckAndProbeLabels() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicBoolean healthy = new AtomicBoolean(true);
    try (HealthRegistry health = HealthRegistry.builder().defaultInterval(Duration.ofMillis(20)).build()) {
      Lifecycle lifecycle = Lifecycle.builder(health).build();
      health.register(
          "db",
          () -> healthy.get() ? CheckResult.up() : CheckResult.down("refused"),
          CheckOptions.of(Probe.READINESS));
      new ProbeMetrics(health, lifecycle).bindTo(registry);

      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> registry.scrape().contains("probekit_probe_status{probe=\"readiness\"} 1"));
      String up = registry.scrape();
      assertThat(up)
          .contains("probekit_check_status{check=\"db\",probe=\"readiness\"} 1")
          .contains("probekit_check_failures_total{check=\"db\"} 0")
          .contains("probekit_check_duration_seconds_count{check=\"db\"}")
          .contains("probekit_check_duration_seconds_sum{check=\"db\"}")
          .contains("probekit_inflight 0")
          .contains("probekit_shutdown_phase_seconds_count{phase=\"pre-stop-delay\"} 0");

      healthy.set(false);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  registry
                      .scrape()
                      .contains("probekit_check_status{check=\"db\",probe=\"readiness\"} 0"));
      assertThat(registry.scrape())
          .contains("probekit_probe_status{probe=\"readiness\"} 0")
          .doesNotContain("probekit_check_failures_total{check=\"db\"} 0");
    }
  }
}
