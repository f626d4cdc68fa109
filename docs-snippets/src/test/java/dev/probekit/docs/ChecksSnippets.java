package dev.probekit.docs;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.checks.Checks;
import dev.probekit.core.checks.Watchdog;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;

/** The samples of docs/checks.md. */
final class ChecksSnippets {

  private ChecksSnippets() {}

  static void register(HealthRegistry health, DataSource dataSource) {
    // tag::register[]
    health.register("db",
        () -> dataSource.getConnection().isValid(1) ? CheckResult.up() : CheckResult.down("invalid"),
        CheckOptions.builder(Probe.READINESS)
            .interval(Duration.ofSeconds(5))
            .timeout(Duration.ofSeconds(1))
            .failureThreshold(3)
            .build());
    // end::register[]
  }

  static Watchdog builtin(HealthRegistry health, DataSource dataSource) {
    // tag::builtin[]
    health.register("deadlocks", Checks.deadlocks(), CheckOptions.of(Probe.LIVENESS));
    Watchdog consumer = Checks.watchdog("consumer", Duration.ofSeconds(30));
    health.register("consumer", consumer, CheckOptions.of(Probe.LIVENESS)); // consumer.tick() in the loop
    health.register("heap", Checks.heapAfterGc(0.9), CheckOptions.of(Probe.LIVENESS));
    health.register("disk", Checks.diskSpace(Path.of("/data"), 512L << 20), CheckOptions.of(Probe.READINESS));
    health.register("db", Checks.jdbc(dataSource), CheckOptions.of(Probe.READINESS, Probe.STARTUP));
    health.register("auth", Checks.http(URI.create("http://auth:8080/readyz")), CheckOptions.of(Probe.READINESS));
    health.register("broker", Checks.tcp("kafka", 9092), CheckOptions.of(Probe.READINESS));
    // end::builtin[]
    return consumer;
  }
}
