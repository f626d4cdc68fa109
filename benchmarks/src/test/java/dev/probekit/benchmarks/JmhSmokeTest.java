package dev.probekit.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The one seconds-long smoke run CI does: the generated JMH harness works and a probe is served.
 * Not a measurement (no fork, no warm-up); the real runs are {@code run-short.sh}/{@code
 * run-full.sh}.
 */
class JmhSmokeTest {

  @Test
  void probeBenchmarkRunsOneIterationAndScoresAPositiveTime() throws Exception {
    Options options =
        new OptionsBuilder()
            .include(ProbeServeBenchmark.class.getName() + ".probe$")
            .param("checks", "10")
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.seconds(1))
            .shouldFailOnError(true)
            .build();

    Collection<RunResult> results = new Runner(options).run();

    assertEquals(1, results.size());
    double nsPerOp = results.iterator().next().getPrimaryResult().getScore();
    assertTrue(nsPerOp > 0, "score: " + nsPerOp);
  }
}
