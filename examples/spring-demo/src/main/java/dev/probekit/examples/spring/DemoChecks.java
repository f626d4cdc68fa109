package dev.probekit.examples.spring;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.Probe;
import dev.probekit.core.checks.Checks;
import dev.probekit.spring.ProbekitCheck;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The demo's checks: Probekit runs them in the background; a probe only reads their result. */
@Configuration(proxyBeanMethods = false)
public class DemoChecks {

  // tag::bean[]
  /** A plain HealthCheck bean: registered on readiness under its bean name, "orders". */
  @Bean
  HealthCheck orders(OrderStore store) {
    return () -> store.isOnline() ? CheckResult.up() : CheckResult.down("order store offline");
  }
  // end::bean[]

  /** A check with its own name, probe and options: liveness only ever checks the process itself. */
  @Bean
  ProbekitCheck deadlocks() {
    return ProbekitCheck.of(
        "deadlocks",
        Checks.deadlocks(),
        CheckOptions.builder(Probe.LIVENESS).interval(Duration.ofSeconds(30)).build());
  }
}
