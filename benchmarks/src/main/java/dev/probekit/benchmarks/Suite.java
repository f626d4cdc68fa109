package dev.probekit.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the in-process JMH suite (baseline, probe serving, snapshot rebuild, in-flight tracking,
 * peers) in one run with {@code -prof gc}, and prints every figure as a ratio to its baseline,
 * with the DESIGN.md budgets marked met or not met, as a Markdown table.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.probekit.benchmarks.Suite
 * --profile short|full [--markdown FILE]}. Short: 1 fork, 2 x 1 s warm-up, 3 x 1 s measurement.
 * Full: 2 forks, 5 x 1 s warm-up, 10 x 1 s measurement.
 */
public final class Suite {
  private Suite() {}

  /**
   * Runs the suite.
   *
   * @param args {@code --profile short|full}, optionally {@code --markdown FILE}
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    boolean full = "full".equals(opts.getOrDefault("profile", "short"));
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .include(BaselineBenchmark.class.getName())
            .include(ProbeServeBenchmark.class.getName())
            .include(InflightBenchmark.class.getName())
            .include(PeersBenchmark.class.getName())
            .addProfiler(GCProfiler.class)
            .forks(full ? 2 : 1)
            .warmupIterations(full ? 5 : 2)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(full ? 10 : 3)
            .measurementTime(TimeValue.seconds(1))
            .shouldFailOnError(true);
    Collection<RunResult> results = new Runner(options.build()).run();
    String md = table(results);
    System.out.println();
    System.out.println(md);
    if (opts.containsKey("markdown")) {
      Files.writeString(Path.of(opts.get("markdown")), md, StandardCharsets.UTF_8);
    }
  }

  static String table(Collection<RunResult> results) {
    Map<String, RunResult> byKey = new LinkedHashMap<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
      String checks = r.getParams().getParam("checks");
      byKey.put(checks == null ? name : name + "[" + checks + "]", r);
    }
    StringBuilder md = new StringBuilder();
    md.append("In process (ns/op, lower is better; B/op from `-prof gc`)\n\n");
    md.append("| benchmark | ns/op (mean ± 99.9%) | best iteration ns/op | B/op | ratio to baseline (best) | budget | verdict: mean / best |\n");
    md.append("|---|---:|---:|---:|---:|---|---|\n");
    String base = "BaselineBenchmark.constantResponse";
    row(md, byKey, base, "baseline: volatile read of a constant response", base, "", null);
    double probe1 = best(byKey.get("ProbeServeBenchmark.probe[1]"));
    for (String n : new String[] {"1", "10", "100", "1000"}) {
      String key = "ProbeServeBenchmark.probe[" + n + "]";
      RunResult r = byKey.get(key);
      if (r == null) {
        continue;
      }
      boolean noAlloc = alloc(r) < 1;
      // The budget as DESIGN.md states it: absolute, allocation-free, and flat (here: within
      // 1.5x of the 1-check best iteration). The ratio column shows how much is the machine.
      row(md, byKey, key, "probe served from snapshot, " + n + " checks", base,
          "<= 25 ns, 0 B/op, flat 1..1000", v -> noAlloc && v <= 25 && v <= 1.5 * probe1);
    }
    for (String n : new String[] {"1", "10", "100", "1000"}) {
      String key = "ProbeServeBenchmark.rebuildOnStatusChange[" + n + "]";
      row(md, byKey, key, "snapshot rebuild on a status change, " + n + " checks", base,
          "none (per change, not per request)", null);
    }
    String local1 = "InflightBenchmark.baseline1Thread";
    String localN = "InflightBenchmark.baselineAllThreads";
    double in1 = score(byKey, "InflightBenchmark.enterExit1Thread");
    double in1Best = best(byKey.get("InflightBenchmark.enterExit1Thread"));
    double inN = score(byKey, "InflightBenchmark.enterExitAllThreads");
    double inNBest = best(byKey.get("InflightBenchmark.enterExitAllThreads"));
    row(md, byKey, local1, "baseline: thread-confined counter ++/--, 1 thread", local1, "", null);
    row(md, byKey, "InflightBenchmark.enterExit1Thread", "InflightTracker enter+exit, 1 thread",
        local1, "<= 20 ns", v -> v <= 20);
    row(md, byKey, localN, "baseline: thread-confined counter ++/--, all threads", localN, "", null);
    row(md, byKey, "InflightBenchmark.enterExitAllThreads",
        String.format("InflightTracker enter+exit, all threads (%.1fx / %.1fx the 1-thread figure)",
            inN / in1, inNBest / in1Best),
        localN, "<= 2x the 1-thread figure", v -> v <= 2 * (v == inN ? in1 : in1Best));

    double pk = score(byKey, "PeersBenchmark.probekit");
    md.append("\nPeers, same run, same two checks (one instant, one 5 ms): readiness probe latency\n\n");
    md.append("| implementation | ns/op (mean) | B/op | peer / Probekit | budget | verdict |\n");
    md.append("|---|---:|---:|---:|---|---|\n");
    peer(md, byKey, "PeersBenchmark.probekit", "Probekit `GET /readyz`", pk, false);
    peer(md, byKey, "PeersBenchmark.springActuator", "Spring Boot 4.1 Actuator, readiness group", pk, true);
    peer(md, byKey, "PeersBenchmark.dropwizard", "Dropwizard `HealthCheckRegistry.runHealthChecks`", pk, true);
    peer(md, byKey, "PeersBenchmark.smallrye", "SmallRye Health `getReadiness()`", pk, true);
    return md.toString();
  }

  private static void row(StringBuilder md, Map<String, RunResult> byKey, String key, String label,
      String baselineKey, String budget, java.util.function.DoublePredicate met) {
    RunResult r = byKey.get(key);
    if (r == null) {
      return;
    }
    double ns = r.getPrimaryResult().getScore();
    double best = best(r);
    double baselineBest = best(byKey.get(baselineKey));
    String verdict =
        met == null ? "" : (met.test(ns) ? "met" : "not met") + " / " + (met.test(best) ? "met" : "not met");
    md.append(String.format("| %s | %.2f ± %.2f | %.2f | %s | %.1fx | %s | %s |%n", label, ns,
        r.getPrimaryResult().getScoreError(), best, bytes(r), best / baselineBest, budget, verdict));
  }

  /** The fastest measured iteration: on a shared machine, the one least disturbed by others. */
  private static double best(RunResult r) {
    return r == null ? Double.NaN : r.getPrimaryResult().getStatistics().getMin();
  }

  private static void peer(StringBuilder md, Map<String, RunResult> byKey, String key, String label,
      double probekit, boolean budgeted) {
    RunResult r = byKey.get(key);
    if (r == null) {
      return;
    }
    double ns = r.getPrimaryResult().getScore();
    double ratio = ns / probekit;
    md.append(String.format("| %s | %,.1f | %s | %,.0fx | %s | %s |%n", label, ns, bytes(r), ratio,
        budgeted ? ">= 100x" : "", budgeted ? (ratio >= 100 ? "met" : "not met") : ""));
  }

  private static double score(Map<String, RunResult> byKey, String key) {
    RunResult r = byKey.get(key);
    return r == null ? Double.NaN : r.getPrimaryResult().getScore();
  }

  private static double alloc(RunResult r) {
    Result<?> a = r.getSecondaryResults().get("gc.alloc.rate.norm");
    return a == null ? Double.NaN : a.getScore();
  }

  private static String bytes(RunResult r) {
    double a = alloc(r);
    return Double.isNaN(a) ? "n/a" : String.format("%,.1f", a);
  }
}
