package dev.probekit.docs;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.micrometer.ProbeMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The sample of docs/metrics.md, written against ProbeMetrics as a Micrometer MeterBinder (issue
 * 16). Excluded from compilation in this module's pom.xml until that API lands; then delete the
 * exclusion. DocsSnippetsTest already checks the Markdown against it.
 */
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
