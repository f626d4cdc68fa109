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
import java.util.List;

/** Fuzzes the built-in {@link ProbeServer} (the JDK's httpserver). */
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
   * The JDK's {@code sun.net.httpserver.ServerImpl} rejects these inputs itself, before any filter
   * or handler (so before {@link ProbeServer}) runs, and no API changes its answer: a request
   * target that {@code java.net.URI} cannot parse (400 naming URISyntaxException), a non-numeric
   * {@code Content-Length} (400 naming NumberFormatException) and a {@code Transfer-Encoding}
   * other than {@code chunked} (501, which RFC 9112 section 6.1 recommends for an unknown
   * transfer coding). The bodies name an exception class but carry no stack trace, message or
   * input. Avoiding them would mean replacing the JDK server, which is the zero-dependency point of
   * ProbeServer; they are documented in the README instead.
   */
  @Override
  protected List<KnownRejection> knownRejections() {
    return List.of(
        new KnownRejection("jdk-uri-syntax-400", 400, "<h1>400 Bad Request</h1>URISyntaxException thrown"),
        new KnownRejection("jdk-content-length-400", 400, "<h1>400 Bad Request</h1>NumberFormatException thrown"),
        new KnownRejection(
            "jdk-transfer-encoding-501", 501, "<h1>501 Not Implemented</h1>Unsupported Transfer-Encoding value"));
  }

  @Override
  protected String target() {
    return "ProbeServer";
  }
}
