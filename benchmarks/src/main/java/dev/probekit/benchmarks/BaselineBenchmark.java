package dev.probekit.benchmarks;

import dev.probekit.core.ProbeResponse;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The physical floor for serving a probe in process: one volatile read returning a constant,
 * pre-built response. Every in-process figure in benchmarks/README.md is reported as a ratio to this, so
 * that the noise of a shared machine cancels out.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar BaselineBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BaselineBenchmark {
  private volatile ProbeResponse constant = ProbeResponse.text(200, "ok");

  /** A volatile read of a constant response: what a probe costs at the very least. */
  @Benchmark
  public ProbeResponse constantResponse() {
    return constant;
  }
}
