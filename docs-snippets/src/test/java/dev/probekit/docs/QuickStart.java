package dev.probekit.docs;

// The README's quick start, whole: QuickStartTest runs it in a child JVM and sends it SIGTERM.
// tag::quickstart[]
import dev.probekit.core.CheckOptions;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.checks.Checks;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.server.ProbeServer;
import java.time.Duration;

public final class QuickStart {

  public static void main(String[] args) throws InterruptedException {
    HealthRegistry health = HealthRegistry.builder().build();
    health.register("deadlocks", Checks.deadlocks(), CheckOptions.of(Probe.LIVENESS));
    health.register("db", Checks.tcp(env("DB_HOST", "localhost"), Integer.parseInt(env("DB_PORT", "5432"))),
        CheckOptions.builder(Probe.READINESS, Probe.STARTUP)
            .interval(Duration.ofSeconds(5))
            .failureThreshold(3)
            .build());

    Lifecycle lifecycle = Lifecycle.builder(health).fromEnvironment().build(); // PROBEKIT_SHUTDOWN_*
    ProbeServer.builder(ProbeEndpoints.of(health))
        .port(Integer.parseInt(env("PROBE_PORT", "8081")))
        .lifecycle(lifecycle)             // Connection: close while draining; closed last
        .preStop("/prestop", lifecycle)   // optional: the pod's preStop httpGet hook
        .start();
    lifecycle.installSignalHandler();     // SIGTERM: readiness DOWN, drain, exit 0

    // Your application runs here; this one just waits for the drain to end the JVM.
    Thread.currentThread().join();
  }

  private static String env(String name, String otherwise) {
    return System.getenv().getOrDefault(name, otherwise);
  }
}
// end::quickstart[]
