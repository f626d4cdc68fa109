package dev.probekit.docs;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.micrometer.ProbeMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/** The sample of docs/metrics.md: ProbeMetrics as a Micrometer MeterBinder. */
final class MetricsSnippets {

  private MetricsSnippets() {}

  static void bind(HealthRegistry health, Lifecycle lifecycle, MeterRegistry meterRegistry)
      throws Exception {
    // tag::bind[]
    ProbeMetrics metrics = new ProbeMetrics(health, lifecycle); // or new ProbeMetrics(health)
    metrics.bindTo(meterRegistry);
    // ...
    metrics.close(); // removes every meter it registered
    // end::bind[]
  }
}
