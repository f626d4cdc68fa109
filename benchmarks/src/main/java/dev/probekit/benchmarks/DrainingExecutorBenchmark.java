package dev.probekit.benchmarks;

import dev.probekit.core.lifecycle.DrainParticipant;
import dev.probekit.core.lifecycle.DrainingExecutorService;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the executor drain participant ({@link DrainParticipant#executor}) adds per task, against
 * the same executor used plainly, in the same run:
 *
 * <ul>
 *   <li>{@code *Direct}: the delegate runs each task on the caller's thread, so the difference is
 *       the participant alone (two {@code LongAdder} increments and one wrapper object);
 *   <li>{@code *Pool}: a real two-thread pool; each invocation submits {@value #BATCH} tasks and
 *       waits for the last, so the difference is measured against a real queue hand-off.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar DrainingExecutorBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DrainingExecutorBenchmark {
  static final int BATCH = 1_000;

  /** Runs every task on the caller's thread: no queue, no hand-off. */
  static final class CallerRuns extends AbstractExecutorService {
    private volatile boolean shutdown;

    @Override
    public void execute(Runnable command) {
      command.run();
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return shutdown;
    }
  }

  /** The executors under test. */
  @State(Scope.Benchmark)
  public static class Executors2 {
    ExecutorService plainDirect;
    DrainingExecutorService drainingDirect;
    ExecutorService plainPool;
    DrainingExecutorService drainingPool;

    @Setup(Level.Trial)
    public void setUp() {
      plainDirect = new CallerRuns();
      drainingDirect = DrainParticipant.executor("bench-direct", new CallerRuns());
      plainPool = Executors.newFixedThreadPool(2);
      drainingPool = DrainParticipant.executor("bench-pool", Executors.newFixedThreadPool(2));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      plainPool.shutdownNow();
      drainingPool.shutdownNow();
    }
  }

  @Benchmark
  public void plainDirect(Executors2 e, Blackhole bh) {
    e.plainDirect.execute(() -> bh.consume(1));
  }

  @Benchmark
  public void drainingDirect(Executors2 e, Blackhole bh) {
    e.drainingDirect.execute(() -> bh.consume(1));
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void plainPool(Executors2 e) throws InterruptedException {
    batch(e.plainPool);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void drainingPool(Executors2 e) throws InterruptedException {
    batch(e.drainingPool);
  }

  private static void batch(ExecutorService executor) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(BATCH);
    for (int i = 0; i < BATCH; i++) {
      executor.execute(done::countDown);
    }
    done.await();
  }
}
