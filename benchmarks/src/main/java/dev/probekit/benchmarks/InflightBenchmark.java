package dev.probekit.benchmarks;

import dev.probekit.core.lifecycle.InflightTracker;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-flight tracking per request: {@link InflightTracker#enter()} then {@link
 * InflightTracker#exit()} on one shared tracker, by one thread and by as many threads as there
 * are cores ({@code @Threads(MAX)}).
 *
 * <p>Budget: at most 20 ns/op at one thread, and at most 2x that with every core hammering it. The
 * baseline is the same pair of operations on a thread-confined plain counter (no sharing, no
 * atomics), at the same thread counts.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar InflightBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class InflightBenchmark {

  /** The tracker every thread shares, as every request of a server does. */
  @State(Scope.Benchmark)
  public static class Shared {
    final InflightTracker tracker = InflightTracker.create();
  }

  /** A counter only its own thread touches: the floor for "count up, count down". */
  @State(Scope.Thread)
  public static class Local {
    long inflight;
  }

  @Benchmark
  @Threads(1)
  public long enterExit1Thread(Shared shared) {
    shared.tracker.enter();
    shared.tracker.exit();
    return 0;
  }

  @Benchmark
  @Threads(Threads.MAX)
  public long enterExitAllThreads(Shared shared) {
    shared.tracker.enter();
    shared.tracker.exit();
    return 0;
  }

  @Benchmark
  @Threads(1)
  public long baseline1Thread(Local local) {
    local.inflight++;
    return local.inflight--;
  }

  @Benchmark
  @Threads(Threads.MAX)
  public long baselineAllThreads(Local local) {
    local.inflight++;
    return local.inflight--;
  }
}
