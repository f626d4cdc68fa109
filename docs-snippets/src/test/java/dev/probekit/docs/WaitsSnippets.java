package dev.probekit.docs;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.checks.Checks;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.waits.DependencyWait;
import dev.probekit.core.waits.DependencyWaitException;
import dev.probekit.core.waits.Waits;
import java.time.Duration;
import javax.sql.DataSource;

/** The samples of docs/waits.md and docs/checks-and-waits.md. */
final class WaitsSnippets {

  private WaitsSnippets() {}

  static void waits(HealthRegistry health, Lifecycle lifecycle, String secret, Migrations migrations)
      throws InterruptedException {
    // tag::waits[]
    Waits waits = Waits.builder()
        .add(Waits.tcp("db", 5432).named("postgres"))
        .add(Waits.http("http://auth:8080/readyz").named("auth"))        // 2xx/3xx counts
        .add(Waits.jdbc("jdbc:postgresql://db/app", "app", secret))       // DriverManager + isValid
        .add(Waits.of("schema", () -> migrations.done()))                 // anything but false
        .deadline(Duration.ofMinutes(2))
        .health(health)          // /startupz DOWN until they are met
        .lifecycle(lifecycle)    // a SIGTERM meanwhile aborts the waits
        .build();
    try {
      waits.await();
    } catch (DependencyWaitException e) {
      System.err.println(e.getMessage());   // names every unmet dependency and its last error
      System.exit(1);
    }
    // end::waits[]
  }

  static void checkAsWait(HealthRegistry health, DataSource dataSource)
      throws DependencyWaitException, InterruptedException {
    // tag::check-as-wait[]
    HealthCheck db = Checks.jdbc(dataSource);
    Waits waits = Waits.builder()
        .add(DependencyWait.of("orders-db", db))   // wait for it at start-up...
        .health(health)
        .build();
    waits.await();
    health.register("orders-db", db, CheckOptions.of(Probe.READINESS));   // ...then keep checking it
    // end::check-as-wait[]
  }

  /** The application's schema migrations. */
  interface Migrations {
    boolean done();
  }
}
