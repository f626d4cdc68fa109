package dev.probekit.it.fuzz;

import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.Health;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.ProbeServer;
import dev.probekit.core.Status;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;

/** Fuzzes the built-in {@link ProbeServer} (its own java.nio HTTP/1.1 parser). */
class ProbeServerFuzzTest extends MalformedRequestFuzzTest {
  private Health health;
  private ProbeServer server;

  @Override
  protected InetSocketAddress start() {
    health = Health.builder().build();
    health.register("ping", CheckResult::up, CheckOptions.of(Probe.LIVENESS, Probe.READINESS));
    // A DOWN readiness check whose message must never leak.
    health.register("db", () -> CheckResult.down("password=secret refused"), CheckOptions.of(Probe.READINESS));
    await().atMost(Duration.ofSeconds(5))
        .until(() -> health.snapshot(Probe.READINESS).status() == Status.DOWN && health.snapshot(Probe.LIVENESS).status() == Status.UP);
    server =
        ProbeServer.builder(ProbeEndpoints.of(health))
            .bindAddress(InetAddress.getLoopbackAddress())
            .port(0)
            .start();
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
  }

  @Override
  protected void stop() {
    server.close();
    health.close();
  }

  /**
   * The built-in server answers protocol errors itself, with the contract's statuses and our own
   * one-line bodies: 413 for a declared body over 64 KiB, 505 for an HTTP version other than 1.0
   * and 1.1. Nothing else: no 501, no JDK error page.
   */
  @Override
  protected Set<Integer> protocolStatuses() {
    return Set.of(413, 505);
  }

  @Override
  protected String target() {
    return "ProbeServer";
  }
}
