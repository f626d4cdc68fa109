package dev.probekit.it.overload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.it.KubeletProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * What the overload tests share, whatever the server: the application's slow work, the kubelet's
 * probes sampled while every worker is busy, and what those samples must show.
 */
final class Overload {
  private Overload() {}

  /**
   * 500 ms of "work" for one application request: burning CPU if {@code spin}, else waiting on a
   * slow downstream; cut short once {@code stopped}.
   *
   * @return a value derived from the work, so that the JIT cannot drop the spinning
   */
  static long work(boolean spin, BooleanSupplier stopped) {
    long end = System.nanoTime() + 500_000_000L;
    long x = 0;
    while (System.nanoTime() < end && !stopped.getAsBoolean()) {
      if (spin) {
        x += Long.numberOfTrailingZeros(x + System.nanoTime());
      } else {
        try {
          Thread.sleep(20); // a slow downstream call, not a wait for a condition
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return x;
  }

  /**
   * Probes {@code /livez} and {@code /readyz} on {@code port} back to back for {@code measure} (at
   * most 5,000 rounds), as the kubelet does with its 1 s timeout, noting before each round whether
   * all {@code workers} were busy.
   */
  static Samples sample(int port, IntSupplier busy, int workers, Duration measure) {
    List<Long> live = new ArrayList<>();
    List<Long> ready = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    int saturated = 0;
    int rounds = 0;
    long end = System.nanoTime() + measure.toNanos();
    while (System.nanoTime() < end && rounds < 5_000) {
      rounds++;
      saturated += busy.getAsInt() == workers ? 1 : 0;
      for (String path : new String[] {"/livez", "/readyz"}) {
        KubeletProbe.Result r = KubeletProbe.get(port, path, 1000);
        (path.equals("/livez") ? live : ready).add(r.nanos());
        if (r.status() != 200 || !r.body().equals("ok")) {
          failures.add(path + " -> " + r);
        }
      }
    }
    return new Samples(sorted(live), sorted(ready), failures, saturated, rounds);
  }

  /**
   * The probes' latencies in nanoseconds (sorted), the failed probes, and in how many of the
   * rounds every worker was busy.
   */
  record Samples(long[] live, long[] ready, List<String> failures, int saturated, int rounds) {

    /** Prints p50/p99/max of both probes after {@code label} and {@code load}. */
    void print(String label, String load) {
      System.out.printf(
          "[overload %s] %s;"
              + " /livez n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms; /readyz n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms%n",
          label, load,
          live.length, ms(pct(live, 50)), ms(pct(live, 99)), ms(live[live.length - 1]),
          ready.length, ms(pct(ready, 50)), ms(pct(ready, 99)), ms(ready[ready.length - 1]));
    }

    /**
     * Every probe answered 200 "ok" while the application really was saturated (most samples saw
     * every worker busy), every one inside the kubelet's 1 s timeout and the 99th percentile far
     * inside it: the probes have their own threads and read a snapshot.
     */
    void assertProbesStayedUpAndFast() {
      assertThat(failures).isEmpty();
      assertThat(saturated).isGreaterThan(rounds * 8 / 10);
      assertThat(live.length).isGreaterThan(50);
      // Every probe, not just the 99th percentile, inside the kubelet's default timeout.
      assertThat(ms(live[live.length - 1])).isLessThan(1000);
      assertThat(ms(ready[ready.length - 1])).isLessThan(1000);
      // Far inside it, in fact.
      assertThat(ms(pct(live, 99))).isLessThan(250);
    }
  }

  static long[] sorted(List<Long> values) {
    long[] a = values.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(a);
    return a;
  }

  static long pct(long[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  static double ms(long nanos) {
    return nanos / 1e6;
  }
}
