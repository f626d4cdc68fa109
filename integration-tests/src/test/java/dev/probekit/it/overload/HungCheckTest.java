package dev.probekit.it.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.Status;
import dev.probekit.core.server.ProbeServer;
import dev.probekit.it.KubeletProbe;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A readiness check that hangs and ignores interrupts, run every 100 ms with a 200 ms timeout for
 * several seconds: every probe keeps answering (readiness 503, liveness 200) inside the kubelet's
 * 1 s timeout, and the number of threads stays bounded (the check is never run twice at once).
 */
class HungCheckTest {
  private static final Duration RUN = Duration.ofSeconds(5);

  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger entered = new AtomicInteger();
  private HealthRegistry health;
  private ProbeServer server;

  @BeforeEach
  void start() {
    health = HealthRegistry.builder().build();
    health.register("ping", CheckResult::up, CheckOptions.of(Probe.LIVENESS, Probe.READINESS));
    health.register(
        "hung",
        () -> {
          entered.incrementAndGet();
          // Ignores interrupts on purpose: only the test's latch ends it.
          while (true) {
            try {
              release.await();
              return CheckResult.up();
            } catch (InterruptedException ignored) {
              // Swallowed on purpose: this check models code that never honours interrupts.
            }
          }
        },
        CheckOptions.builder(Probe.READINESS).interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(200)).build());
    server =
        ProbeServer.builder(ProbeEndpoints.of(health))
            .bindAddress(InetAddress.getLoopbackAddress())
            .port(0)
            .start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.close();
    health.close();
  }

  @Test
  void hungCheckIgnoringInterruptsLeavesEveryProbeAnsweringAndThreadsBounded() {
    await().atMost(Duration.ofSeconds(5))
        .until(() -> health.check("hung").map(c -> c.status() == Status.DOWN).orElse(false));
    // Probekit's own threads (check runners, the probe server): other tests' clients and pools in
    // this JVM may start or end threads meanwhile, which says nothing about a hung check.
    int baseline = probekitThreads();
    int maxThreads = baseline;
    List<String> failures = new ArrayList<>();
    List<Long> latencies = new ArrayList<>();
    int probes = 0;
    long end = System.nanoTime() + RUN.toNanos();
    while (System.nanoTime() < end && probes < 20_000) {
      for (String[] expect :
          new String[][] {{"/livez", "200"}, {"/readyz", "503"}, {"/startupz", "200"}, {"/healthz", "503"},
              {"/readyz/hung", "503"}, {"/readyz/ping", "200"}}) {
        KubeletProbe.Result r = KubeletProbe.get(server.port(), expect[0], 1000);
        probes++;
        latencies.add(r.nanos());
        if (r.status() != Integer.parseInt(expect[1])) {
          failures.add(expect[0] + " -> " + r);
        }
      }
      maxThreads = Math.max(maxThreads, probekitThreads());
    }
    long[] sorted = Overload.sorted(latencies);
    System.out.printf(
        "[hung check] %d probes in %s, check entered %d time(s), threads baseline %d max %d,"
            + " p50=%.2f ms p99=%.2f ms max=%.2f ms%n",
        probes, RUN, entered.get(), baseline, maxThreads,
        Overload.ms(Overload.pct(sorted, 50)),
        Overload.ms(Overload.pct(sorted, 99)),
        Overload.ms(sorted[sorted.length - 1]));

    assertThat(failures).isEmpty();
    assertThat(probes).isGreaterThan(100);
    assertThat(Overload.ms(sorted[sorted.length - 1])).isLessThan(1000);
    // Never run twice at once: the one stuck run is the only one, for the whole 5 s (50 intervals).
    assertThat(entered.get()).isEqualTo(1);
    assertThat(maxThreads).isLessThanOrEqualTo(baseline + 2);
  }

  private static int probekitThreads() {
    return (int)
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().startsWith("probekit"))
            .count();
  }
}
