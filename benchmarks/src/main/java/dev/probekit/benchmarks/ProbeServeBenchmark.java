package dev.probekit.benchmarks;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.ProbeResponse;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Serving a probe from its snapshot, and rebuilding that snapshot on a status change, with 1 to
 * 1,000 registered READINESS checks.
 *
 * <ul>
 *   <li>{@code probe}: {@link ProbeEndpoints#handle} for what the kubelet sends ({@code GET
 *       /readyz}, {@code Accept: *}{@code /*}, no query). Budget: at most 25 ns/op and 0 B/op
 *       ({@code -prof gc}), flat in the number of checks; compare with {@link BaselineBenchmark}.
 *   <li>{@code rebuildOnStatusChange}: one status change of the readiness probe (a manual override
 *       set or cleared, alternately), which rebuilds the readiness and overall snapshots and
 *       renders their responses. No budget: it happens per change, not per request.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ProbeServeBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProbeServeBenchmark {
  @Param({"1", "10", "100", "1000"})
  int checks;

  private HealthRegistry health;
  private ProbeEndpoints endpoints;
  private boolean down;

  @Setup(Level.Trial)
  public void setUp() {
    health = Fixtures.healthWithInstantChecks(checks);
    endpoints = ProbeEndpoints.of(health);
    ProbeResponse response = endpoints.handle(Fixtures.KUBELET_READYZ);
    if (response.status() != 200 || !"ok".equals(response.bodyAsString())) {
      throw new IllegalStateException("unexpected probe response: " + response);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    health.close();
  }

  /** One kubelet readiness probe, answered from the snapshot. */
  @Benchmark
  public ProbeResponse probe() {
    return endpoints.handle(Fixtures.KUBELET_READYZ);
  }

  /**
   * One kubelet readiness probe answered 503 while readiness is held DOWN, as during the pre-stop
   * step: the pre-rendered response plus one add to the readiness-503 counter. Budget: 0 B/op.
   */
  @Benchmark
  public ProbeResponse probeWhileDraining(Draining draining) {
    return draining.endpoints.handle(Fixtures.KUBELET_READYZ);
  }

  /** A health whose readiness is held DOWN, as by the drain. */
  @State(Scope.Benchmark)
  public static class Draining {
    HealthRegistry health;
    ProbeEndpoints endpoints;

    @Setup(Level.Trial)
    public void setUp() {
      health = Fixtures.healthWithInstantChecks(1);
      health.readiness().down("shutting down");
      endpoints = ProbeEndpoints.of(health);
      ProbeResponse response = endpoints.handle(Fixtures.KUBELET_READYZ);
      if (response.status() != 503) {
        throw new IllegalStateException("unexpected probe response: " + response);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      health.close();
    }
  }

  /** One readiness status change: the snapshots are rebuilt and their responses rendered. */
  @Benchmark
  public boolean rebuildOnStatusChange() {
    down = !down;
    if (down) {
      health.readiness().down("benchmark");
    } else {
      health.readiness().clear();
    }
    return down;
  }
}
