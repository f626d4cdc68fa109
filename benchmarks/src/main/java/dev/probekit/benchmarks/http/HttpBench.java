package dev.probekit.benchmarks.http;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * End-to-end HTTP benchmarks on loopback, with a Java load generator (raw keep-alive sockets in N
 * threads), every run bounded in time and in request count.
 *
 * <ol>
 *   <li><b>Throughput</b>: on each stack, {@code GET /readyz} served by Probekit against the same
 *       stack answering a constant {@code ok} (its physical limit), in alternating rounds so that
 *       drift on a shared machine hits both alike. Budget: probe throughput at least 90% of the
 *       constant {@code ok}. For the built-in server, whose probe and {@code ok} each run on one
 *       known thread ({@link ServerCpu}), also the server thread's CPU time per request, which
 *       other load on the machine barely moves.
 *   <li><b>Overload</b>: the application's workers all busy on slow requests (more clients than
 *       workers, each request blocking {@code --slow-ms}); meanwhile one probe every {@code
 *       --probe-interval-ms} on a fresh connection, like the kubelet. Budget: p99 under 10 ms on
 *       the built-in server and on Netty. A trivial endpoint on the saturated application pool is
 *       probed too, for contrast. Budget: p99 under 10 ms on Netty, under 5 ms on the built-in
 *       server.
 *   <li><b>Built-in server vs the JDK httpserver it replaced</b> (issue 14): probe req/s of the NIO
 *       {@code ProbeServer} over those of {@link JdkHttpServerStack} in the same run, and the
 *       threads each adds to the JVM under load (budget for the NIO server: one).
 * </ol>
 *
 * <p>{@code --stacks builtin,jdk,netty,jetty,tomcat} and {@code --overloads
 * builtin,netty,jetty,tomcat} pick what runs (default: all).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.probekit.benchmarks.http.HttpBench --seconds 5 --rounds 2 --connections 4}
 */
public final class HttpBench {
  private HttpBench() {}

  /**
   * Runs the benchmarks and prints the results (and a Markdown table, also written to {@code
   * --markdown FILE} when given).
   *
   * @param args {@code --seconds S} per round (5), {@code --rounds R} (2), {@code --connections C}
   *     (4), {@code --max-requests N} per round (2,000,000), {@code --overload-seconds S} (10),
   *     {@code --workers W} (8), {@code --slow-ms M} (200), {@code --probe-interval-ms I} (10),
   *     {@code --stacks LIST}, {@code --overloads LIST}, {@code --markdown FILE}
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    // Jetty and Tomcat log start/stop at INFO through java.util.logging: keep the output readable.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    for (java.util.logging.Handler h : java.util.logging.Logger.getLogger("").getHandlers()) {
      h.setLevel(java.util.logging.Level.WARNING);
    }
    java.util.logging.Logger.getLogger("org.apache").setLevel(java.util.logging.Level.SEVERE);
    // Without TCP_NODELAY the JDK httpserver writes headers and body in two segments and a
    // keep-alive client's delayed ACK stalls every response ~40 ms (Nagle). The kubelet opens a
    // fresh connection per probe and never sees this; a keep-alive load generator does. Set for
    // the whole JVM, so the old JDK-httpserver probe server, its constant-ok twin and the
    // overload scenario's application get the same treatment (the NIO ProbeServer sets
    // TCP_NODELAY per socket itself); --nodelay false shows the stall.
    System.setProperty("sun.net.httpserver.nodelay", opts.getOrDefault("nodelay", "true"));
    Duration round = Duration.ofMillis((long) (Double.parseDouble(opts.getOrDefault("seconds", "5")) * 1000));
    int rounds = Integer.parseInt(opts.getOrDefault("rounds", "2"));
    int connections = Integer.parseInt(opts.getOrDefault("connections", "4"));
    long maxRequests = Long.parseLong(opts.getOrDefault("max-requests", "2000000"));
    Duration overload =
        Duration.ofMillis((long) (Double.parseDouble(opts.getOrDefault("overload-seconds", "10")) * 1000));
    int workers = Integer.parseInt(opts.getOrDefault("workers", "8"));
    long slowMillis = Long.parseLong(opts.getOrDefault("slow-ms", "200"));
    Duration probeInterval = Duration.ofMillis(Long.parseLong(opts.getOrDefault("probe-interval-ms", "10")));
    List<String> stackNames = List.of(opts.getOrDefault("stacks", "builtin,jdk,netty,jetty,tomcat").split(","));
    List<String> overloadNames = List.of(opts.getOrDefault("overloads", "builtin,netty,jetty,tomcat").split(","));
    Map<String, LoadResult> probeByStack = new LinkedHashMap<>();
    Map<String, LoadResult> okByStack = new LinkedHashMap<>();
    StringBuilder cpuLines = new StringBuilder();

    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            "HTTP throughput: %d keep-alive connections, %d alternating rounds of %s s each,"
                + " at most %d requests per round%n%n",
            connections, rounds, round.toMillis() / 1000.0, maxRequests));
    md.append("| stack | probe req/s | constant `ok` req/s | probe / ok, median of rounds (budget >= 90%) | probe p50 / p99 | `ok` p50 / p99 | errors |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<String, Supplier<Stack>> entry : stacks().entrySet()) {
      if (!stackNames.contains(entry.getKey())) {
        continue;
      }
      try (Stack stack = entry.getValue().get()) {
        System.out.println("== throughput: " + stack.name());
        // Warm both up (JIT, connection set-up) before anything is counted.
        Duration warm = round.compareTo(Duration.ofSeconds(1)) > 0 ? round : Duration.ofSeconds(1);
        LoadGenerator.closedLoop("warm-ok", stack.okAddress(), stack.okPath(), connections, warm, maxRequests);
        LoadGenerator.closedLoop("warm-probe", stack.probeAddress(), stack.probePath(), connections, warm, maxRequests);
        List<LoadResult> okRounds = new ArrayList<>();
        List<LoadResult> probeRounds = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          // Alternate which goes first, so a trend in the machine's load favours neither.
          LoadResult ok;
          LoadResult probe;
          long okCpu0 = cpu(stack, false);
          long probeCpu0 = cpu(stack, true);
          if (r % 2 == 0) {
            ok = LoadGenerator.closedLoop("ok", stack.okAddress(), stack.okPath(), connections, round, maxRequests);
            probe = LoadGenerator.closedLoop("probe", stack.probeAddress(), stack.probePath(), connections, round, maxRequests);
          } else {
            probe = LoadGenerator.closedLoop("probe", stack.probeAddress(), stack.probePath(), connections, round, maxRequests);
            ok = LoadGenerator.closedLoop("ok", stack.okAddress(), stack.okPath(), connections, round, maxRequests);
          }
          if (stack instanceof ServerCpu) {
            double okPerRequest = (double) (cpu(stack, false) - okCpu0) / Math.max(1, ok.requests);
            double probePerRequest = (double) (cpu(stack, true) - probeCpu0) / Math.max(1, probe.requests);
            cpuRatios.add(okPerRequest / probePerRequest);
            System.out.printf("  round %d: server CPU per request: ok %.1f us, probe %.1f us%n",
                r + 1, okPerRequest / 1000, probePerRequest / 1000);
          }
          System.out.println("  round " + (r + 1) + ": " + ok);
          System.out.println("  round " + (r + 1) + ": " + probe);
          okRounds.add(ok);
          probeRounds.add(probe);
        }
        LoadResult ok = LoadResult.merge("ok", okRounds);
        LoadResult probe = LoadResult.merge("probe", probeRounds);
        probeByStack.put(entry.getKey(), probe);
        okByStack.put(entry.getKey(), ok);
        if (!cpuRatios.isEmpty()) {
          cpuRatios.sort(null);
          int n = cpuRatios.size();
          double median = n % 2 == 1 ? cpuRatios.get(n / 2) : (cpuRatios.get(n / 2 - 1) + cpuRatios.get(n / 2)) / 2;
          cpuLines.append(String.format(
              "%n%s, server-thread CPU per request, median of %d rounds: constant `ok` / probe = %.1f%%"
                  + " (budget >= 90%%: %s); robust to other load on the machine, unlike req/s%n",
              stack.name(), n, median * 100, median >= 0.9 ? "met" : "not met"));
        }
        double total = probe.throughput() / ok.throughput();
        // The median of the per-round ratios: a burst of someone else's build during one round
        // moves the totals but barely moves the median.
        double[] pairs = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          pairs[r] = probeRounds.get(r).throughput() / okRounds.get(r).throughput();
        }
        java.util.Arrays.sort(pairs);
        double ratio =
            rounds % 2 == 1 ? pairs[rounds / 2] : (pairs[rounds / 2 - 1] + pairs[rounds / 2]) / 2;
        System.out.printf(
            "  probe/ok throughput: median of rounds %.1f%%, totals %.1f%%%n", ratio * 100, total * 100);
        md.append(
            String.format(
                "| %s | %.0f | %.0f | %.1f%% (totals %.1f%%) %s | %.0f / %.0f us | %.0f / %.0f us | %d |%n",
                stack.name(), probe.throughput(), ok.throughput(), ratio * 100, total * 100,
                ratio >= 0.9 ? "met" : "not met",
                probe.percentileMicros(50), probe.percentileMicros(99),
                ok.percentileMicros(50), ok.percentileMicros(99), probe.errors + ok.errors));
      }
    }

    md.append(cpuLines);
    if (probeByStack.containsKey("builtin") && probeByStack.containsKey("jdk")) {
      md.append(
          String.format(
              "%nNIO built-in server vs the old JDK-httpserver one, same run: probe req/s %.0f vs %.0f"
                  + " = %.2fx; constant `ok` on each: %.0f vs %.0f = %.2fx%n",
              probeByStack.get("builtin").throughput(), probeByStack.get("jdk").throughput(),
              probeByStack.get("builtin").throughput() / probeByStack.get("jdk").throughput(),
              okByStack.get("builtin").throughput(), okByStack.get("jdk").throughput(),
              okByStack.get("builtin").throughput() / okByStack.get("jdk").throughput()));
    }
    if (stackNames.contains("builtin")) {
      md.append(ThreadCount.builtInVersusJdk(connections));
    }

    md.append(
        String.format(
            "%nProbe latency under overload: %d app workers, %d saturating clients on a %d ms"
                + " endpoint, one probe every %d ms on a fresh connection for %s s%n%n",
            workers, workers * 3, slowMillis, probeInterval.toMillis(), overload.toMillis() / 1000.0));
    md.append("| scenario | workers all busy (samples) | probe p50 | probe p99 (budget) | probes (errors) | same request on the app's pool: p50 / p99 |\n");
    md.append("|---|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<String, Supplier<OverloadScenario>> entry : overloads(workers, slowMillis).entrySet()) {
      if (!overloadNames.contains(entry.getKey())) {
        continue;
      }
      try (OverloadScenario scenario = entry.getValue().get()) {
        System.out.println("== overload: " + scenario.name());
        md.append(runOverload(scenario, overload, probeInterval, slowMillis));
      }
    }
    System.out.println();
    System.out.println(md);
    if (opts.containsKey("markdown")) {
      Files.writeString(Path.of(opts.get("markdown")), md.toString(), StandardCharsets.UTF_8);
    }
  }

  /** The stacks measured, by their {@code --stacks} name; adapters join as they land. */
  static Map<String, Supplier<Stack>> stacks() {
    Map<String, Supplier<Stack>> stacks = new LinkedHashMap<>();
    stacks.put("builtin", BuiltInStack::new);
    stacks.put("jdk", JdkHttpServerStack::new);
    stacks.put("netty", NettyStack::new);
    stacks.put("jetty", () -> new ServletStacks.Jetty(0, 0, 0));
    stacks.put("tomcat", () -> new ServletStacks.TomcatStack(0, 0, 0));
    return stacks;
  }

  static Map<String, Supplier<OverloadScenario>> overloads(int workers, long slowMillis) {
    Map<String, Supplier<OverloadScenario>> scenarios = new LinkedHashMap<>();
    scenarios.put("builtin", () -> new BuiltInOverload(workers, slowMillis));
    scenarios.put("netty", () -> new NettyOverload(workers, slowMillis));
    // Servlet containers serve probes on the application's own pool: sized so that the
    // application's requests can take every thread (Jetty also needs a few for its selector and
    // acceptor, so its pool is a little larger).
    scenarios.put("jetty", () -> new ServletStacks.Jetty(workers + 4, workers, slowMillis));
    scenarios.put("tomcat", () -> new ServletStacks.TomcatStack(workers, workers, slowMillis));
    return scenarios;
  }

  static String runOverload(
      OverloadScenario scenario, Duration duration, Duration probeInterval, long slowMillis)
      throws InterruptedException {
    int saturators = scenario.workers() * 3;
    Duration saturateFor = duration.plusSeconds(3);
    long saturatorBudget = saturateFor.toMillis() / Math.max(1, slowMillis) * saturators + saturators;
    Thread load =
        new Thread(
            () -> {
              try {
                LoadResult slow =
                    LoadGenerator.closedLoop(
                        "slow", scenario.slowAddress(), "/slow", saturators, saturateFor, saturatorBudget);
                System.out.println("  saturating load: " + slow);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "saturate");
    load.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!scenario.allWorkersBusy() && System.nanoTime() - deadline < 0) {
      LoadGenerator.pause(Duration.ofMillis(5));
    }
    AtomicBoolean sampling = new AtomicBoolean(true);
    AtomicLong samples = new AtomicLong();
    AtomicLong busySamples = new AtomicLong();
    Thread sampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                samples.incrementAndGet();
                if (scenario.allWorkersBusy()) {
                  busySamples.incrementAndGet();
                }
                LoadGenerator.pause(Duration.ofMillis(5));
              }
            },
            "sampler");
    sampler.start();
    LoadResult[] contrast = new LoadResult[1];
    Thread contrastProber =
        new Thread(
            () ->
                contrast[0] =
                    LoadGenerator.paced(
                        "app pool /ok", scenario.appOkAddress(), "/ok", Duration.ofMillis(100), duration,
                        (int) (duration.toMillis() / 100 + 1)),
            "contrast");
    contrastProber.start();
    int maxProbes = (int) (duration.toMillis() / Math.max(1, probeInterval.toMillis()) + 1);
    LoadResult probes =
        LoadGenerator.paced("probe", scenario.probeAddress(), "/readyz", probeInterval, duration, maxProbes);
    contrastProber.join();
    sampling.set(false);
    sampler.join();
    load.join();
    double busy = samples.get() == 0 ? 0 : 100.0 * busySamples.get() / samples.get();
    System.out.println("  " + probes);
    System.out.println("  " + contrast[0]);
    System.out.printf("  all workers busy in %.1f%% of %d samples%n", busy, samples.get());
    double p99 = probes.percentileMicros(99) / 1000.0;
    String verdict = !scenario.budgeted()
        ? "no budget: same pool"
        : String.format("< %.0f ms: %s", scenario.budgetMillis(), p99 < scenario.budgetMillis() ? "met" : "not met");
    return String.format(
        "| %s | %.0f%% of %d | %.2f ms | %.2f ms (%s) | %d (%d) | %.0f / %.0f ms |%n",
        scenario.name(), busy, samples.get(), probes.percentileMicros(50) / 1000.0, p99,
        verdict, probes.requests, probes.errors,
        contrast[0].percentileMicros(50) / 1000.0, contrast[0].percentileMicros(99) / 1000.0);
  }

  /** CPU time so far of the probe server's or the constant-ok twin's thread, or 0 if unknown. */
  private static long cpu(Stack stack, boolean probe) {
    if (!(stack instanceof ServerCpu)) {
      return 0;
    }
    ServerCpu measured = (ServerCpu) stack;
    return ServerCpu.cpuNanos(probe ? measured.probeThread() : measured.okThread());
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got: " + args[i]);
      }
      opts.put(args[i].substring(2), args[++i]);
    }
    return opts;
  }

}
