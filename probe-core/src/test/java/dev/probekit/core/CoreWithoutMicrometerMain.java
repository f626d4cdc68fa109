package dev.probekit.core;

import dev.probekit.core.checks.Checks;
import dev.probekit.core.checks.Watchdog;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.ShutdownSummary;
import dev.probekit.core.server.ProbeServer;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link CoreWithoutMicrometerTest} in a child JVM whose classpath holds probe-core, the
 * test classes, slf4j-api and jackson-core, and no Micrometer. Exercises the core end to end and
 * prints one marker line per step; exits non-zero on the first failure.
 */
public final class CoreWithoutMicrometerMain {

  public static void main(String[] args) throws Exception {
    try {
      Class.forName("io.micrometer.core.instrument.MeterRegistry");
      fail("Micrometer is on the classpath");
    } catch (ClassNotFoundException expected) {
      // the premise of this run: Micrometer is absent
      System.out.println("STEP micrometer-absent");
    }

    try (HealthRegistry health = HealthRegistry.builder().defaultInterval(Duration.ofMillis(50)).build();
        ServerSocket dependency = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CountDownLatch ready = new CountDownLatch(1);
      health.addProbeListener(
          (previous, current) -> {
            // Only once all three readiness checks (disk, tcp, self) are registered and UP.
            if (current.probe().orElse(null) == Probe.READINESS
                && current.isUp()
                && current.checks().size() == 3) {
              ready.countDown();
            }
          });
      Lifecycle lifecycle =
          Lifecycle.builder(health)
              .preStopDelay(Duration.ZERO)
              .drainTimeout(Duration.ofSeconds(1))
              .build();
      ProbeServer server =
          ProbeServer.builder(ProbeEndpoints.of(health))
              .port(0)
              .bindAddress(InetAddress.getLoopbackAddress())
              .start();
      lifecycle.addShutdownTask("probe-server", server::close);
      URI base = URI.create("http://127.0.0.1:" + server.port());

      Watchdog loop = Checks.watchdog("loop", Duration.ofMinutes(1));
      health.register("deadlocks", Checks.deadlocks(), CheckOptions.of(Probe.LIVENESS));
      health.register("loop", loop, CheckOptions.of(Probe.LIVENESS));
      health.register("heap", Checks.heapAfterGc(1.0), CheckOptions.of(Probe.LIVENESS));
      health.register("disk", Checks.diskSpace(Paths.get("."), 1), CheckOptions.of(Probe.READINESS));
      health.register(
          "tcp",
          Checks.tcp("127.0.0.1", dependency.getLocalPort()),
          CheckOptions.of(Probe.READINESS));

      // The HTTP check probes our own liveness endpoint: java.net.http without Micrometer.
      health.register(
          "self", Checks.http(base.resolve("/livez")), CheckOptions.of(Probe.READINESS));

      if (!ready.await(20, TimeUnit.SECONDS)) {
        fail("readiness not UP: " + health.snapshot(Probe.READINESS));
      }
      System.out.println("STEP checks-up " + health.checkNames());

      String body = get(base.resolve("/readyz"));
      if (!body.equals("200 ok")) {
        fail("/readyz answered " + body);
      }
      System.out.println("STEP served " + body);

      ShutdownSummary summary = lifecycle.shutdown();
      if (!summary.failedTasks().isEmpty()) {
        fail("shutdown tasks failed: " + summary);
      }
      System.out.println("STEP shutdown " + lifecycle.lastCompletedPhase().orElse(null));
    }
    System.out.println("CORE-WITHOUT-MICROMETER-OK");
  }

  private static String get(URI uri) throws Exception {
    HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
    connection.setConnectTimeout(2000);
    connection.setReadTimeout(2000);
    int code = connection.getResponseCode();
    try (InputStream in = code < 400 ? connection.getInputStream() : connection.getErrorStream()) {
      return code + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void fail(String message) {
    System.out.println("FAIL " + message);
    System.exit(1);
  }

  private CoreWithoutMicrometerMain() {}
}
