package dev.probekit.it.hostile;

import dev.probekit.it.KubeletProbe;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A kubelet-style prober: {@code GET /livez} on a fresh connection every 100 ms, {@code
 * User-Agent: kube-probe/1.32}, 1 s timeout, each probe on its own thread so a slow one never
 * delays the next; every result is kept.
 */
final class Kubelet implements AutoCloseable {
  static final int PERIOD_MILLIS = 100;
  static final int TIMEOUT_MILLIS = 1000;

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  /** Probes run here, so that one waiting for its timeout never holds back the next. */
  private final ExecutorService probes = Executors.newCachedThreadPool();
  private final ConcurrentLinkedQueue<KubeletProbe.Result> results = new ConcurrentLinkedQueue<>();
  /** When each probe started, in ms since the prober started, by result. */
  private final Map<KubeletProbe.Result, Long> startedAt = new ConcurrentHashMap<>();
  private final long t0 = System.nanoTime();

  /** Starts probing {@code address}. */
  Kubelet(InetSocketAddress address) {
    scheduler.scheduleAtFixedRate(
        () ->
            probes.execute(
                () -> {
                  long at = (System.nanoTime() - t0) / 1_000_000;
                  KubeletProbe.Result r =
                      KubeletProbe.get(address.getPort(), "/livez", TIMEOUT_MILLIS);
                  startedAt.put(r, at);
                  results.add(r);
                }),
        0,
        PERIOD_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  /** Stops probing and waits for the probes in flight. */
  @Override
  public void close() throws InterruptedException {
    scheduler.shutdown();
    scheduler.awaitTermination(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    probes.shutdown();
    if (!probes.awaitTermination(TIMEOUT_MILLIS * 3L, TimeUnit.MILLISECONDS)) {
      throw new AssertionError("probes still running after their timeout");
    }
  }

  /** Every probe so far, in completion order. */
  List<KubeletProbe.Result> results() {
    return new ArrayList<>(results);
  }

  /** The probes that failed (no 200 with body {@code ok}), described. */
  List<String> failures() {
    List<String> failures = new ArrayList<>();
    for (KubeletProbe.Result r : results) {
      if (r.status() != 200 || !r.body().equals("ok")) {
        failures.add(
            r.status() + " " + r.error() + " after " + r.nanos() / 1_000_000 + " ms, started at +"
                + startedAt.get(r) + " ms");
      }
    }
    return failures;
  }

  /** The {@code q}-quantile of the latencies, in milliseconds (nearest rank). */
  double quantileMillis(double q) {
    long[] nanos = results.stream().mapToLong(KubeletProbe.Result::nanos).sorted().toArray();
    if (nanos.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * nanos.length) - 1;
    return nanos[Math.max(0, Math.min(nanos.length - 1, rank))] / 1e6;
  }

  /** One line: probe count, failures, p50, p99, max. */
  String summary() {
    return String.format(
        "%d probes, %d failed, p50 %.2f ms, p99 %.2f ms, max %.2f ms",
        results.size(), failures().size(), quantileMillis(0.50), quantileMillis(0.99),
        quantileMillis(1.0));
  }
}
