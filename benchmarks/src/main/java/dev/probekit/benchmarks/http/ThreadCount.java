package dev.probekit.benchmarks.http;

import dev.probekit.core.server.ProbeServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Threads a probe server adds to the JVM while it serves: live threads are sampled every 5 ms
 * during a closed-loop load plus fresh-connection probes, and every thread that did not exist
 * before the server started and is not one of the load generator's ({@code load-*}) or of {@code
 * HealthRegistry}'s check scheduler is counted.
 * Budget for the built-in server: one.
 */
final class ThreadCount {
  private ThreadCount() {}

  /** A Markdown line for the NIO built-in server and the JDK-httpserver one it replaced. */
  static String builtInVersusJdk(int connections) throws InterruptedException {
    Set<String> nio = added(() -> new BuiltInStack(false), connections);
    Set<String> jdk = added(() -> new JdkHttpServerStack(false), connections);
    long named = nio.stream().filter(n -> n.startsWith(ProbeServer.THREAD_NAME)).count();
    return String.format(
        "%nThreads added while serving (sampled every 5 ms under load): built-in NIO server %d %s"
            + " (budget: one: %s); old JDK-httpserver server %d %s%n",
        nio.size(), nio, nio.size() == 1 && named == 1 ? "met" : "not met", jdk.size(), jdk);
  }

  private static Set<String> added(Supplier<Stack> factory, int connections) throws InterruptedException {
    // HealthRegistry's own threads (its check scheduler) start with the stack but are not the server's.
    Set<Long> before = new HashSet<>();
    Thread.getAllStackTraces().keySet().forEach(t -> before.add(t.getId()));
    Set<String> added = new TreeSet<>();
    try (Stack stack = factory.get()) {
      AtomicBoolean sampling = new AtomicBoolean(true);
      Thread sampler = new Thread(() -> {
        while (sampling.get()) {
          for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!before.contains(t.getId()) && !t.getName().startsWith("load-")
                && !t.getName().startsWith("probekit-check")
                && !t.getName().startsWith("probekit-scheduler") && !t.getName().equals("thread-sampler")) {
              synchronized (added) {
                added.add(t.getName().replaceAll("\\d+$", "N"));
              }
            }
          }
          LoadGenerator.pause(Duration.ofMillis(5));
        }
      }, "thread-sampler");
      sampler.start();
      LoadGenerator.closedLoop("threads", stack.probeAddress(), stack.probePath(), connections * 4,
          Duration.ofSeconds(1), 1_000_000);
      LoadGenerator.paced("threads-fresh", stack.probeAddress(), stack.probePath(), Duration.ofMillis(2),
          Duration.ofMillis(500), 250);
      sampling.set(false);
      sampler.join();
    }
    synchronized (added) {
      return new TreeSet<>(added);
    }
  }
}
