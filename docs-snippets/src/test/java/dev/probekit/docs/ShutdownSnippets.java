package dev.probekit.docs;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.server.ProbeServer;
import java.time.Duration;

/** The samples of docs/shutdown.md. */
final class ShutdownSnippets {

  private ShutdownSnippets() {}

  static ProbeServer lifecycle(HealthRegistry health, AppServer appServer, AutoCloseable pool) {
    // tag::lifecycle[]
    Lifecycle lifecycle = Lifecycle.builder(health)
        .fromEnvironment()                 // probekit.shutdown.* / PROBEKIT_SHUTDOWN_*, see below
        .build();
    ProbeServer probes = ProbeServer.builder(ProbeEndpoints.of(health))
        .port(8081)
        .lifecycle(lifecycle)              // Connection: close while draining; the server closes last
        .preStop("/prestop", lifecycle)    // optional, for lifecycle.preStop.httpGet
        .start();
    // Your application server: count requests, add Connection: close while lifecycle.isDraining(),
    // and close the listener when asked (the adapters in probe-servlet/netty/spring do all three).
    lifecycle.onStopAccepting("app", appServer::closeListener);
    lifecycle.addShutdownTask("db-pool", Duration.ofSeconds(5), pool::close);
    lifecycle.installSignalHandler();      // SIGTERM and SIGINT now drain, then exit 0
    // end::lifecycle[]
    return probes;
  }

  /** The application's own server, as far as the sample needs it. */
  interface AppServer {
    void closeListener();
  }
}
