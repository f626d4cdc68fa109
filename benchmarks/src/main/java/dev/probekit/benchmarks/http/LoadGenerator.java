package dev.probekit.benchmarks.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** Bounded load on loopback: every run stops at a deadline or a request count, whichever first. */
final class LoadGenerator {
  private LoadGenerator() {}

  /**
   * Closed loop: {@code connections} threads, each on its own keep-alive connection, send the
   * next request as soon as the previous answer is read.
   */
  static LoadResult closedLoop(
      String name,
      InetSocketAddress address,
      String path,
      int connections,
      Duration duration,
      long maxRequests)
      throws InterruptedException {
    AtomicLong budget = new AtomicLong(maxRequests);
    AtomicLong errors = new AtomicLong();
    int perThread = (int) Math.min(Integer.MAX_VALUE - 8, maxRequests / connections + 1);
    long[][] latencies = new long[connections][];
    int[] counts = new int[connections];
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    long deadline = start + duration.toNanos();
    for (int t = 0; t < connections; t++) {
      int id = t;
      latencies[id] = new long[perThread];
      Thread thread =
          new Thread(
              () -> {
                try (HttpClientConnection c = new HttpClientConnection(address, path, true)) {
                  int n = 0;
                  while (n < perThread
                      && System.nanoTime() - deadline < 0
                      && budget.decrementAndGet() >= 0) {
                    long t0 = System.nanoTime();
                    try {
                      if (c.get() != 200) {
                        errors.incrementAndGet();
                      }
                    } catch (IOException e) {
                      errors.incrementAndGet();
                      c.close();
                    }
                    latencies[id][n++] = System.nanoTime() - t0;
                  }
                  counts[id] = n;
                }
              },
              "load-" + name + "-" + t);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return result(name, latencies, counts, errors.get(), seconds);
  }

  /**
   * Open loop, like the kubelet: one request every {@code interval}, each on a fresh connection
   * (the kubelet's prober does not keep connections alive), until the deadline or the count.
   */
  static LoadResult paced(
      String name, InetSocketAddress address, String path, Duration interval, Duration duration,
      int maxRequests) {
    long[] latencies = new long[maxRequests];
    int n = 0;
    long errors = 0;
    long start = System.nanoTime();
    long deadline = start + duration.toNanos();
    long next = start;
    while (n < maxRequests && System.nanoTime() - deadline < 0) {
      long t0 = System.nanoTime();
      try (HttpClientConnection c = new HttpClientConnection(address, path, false)) {
        if (c.get() != 200) {
          errors++;
        }
      } catch (IOException e) {
        errors++;
      }
      latencies[n++] = System.nanoTime() - t0;
      next += interval.toNanos();
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else {
        next = System.nanoTime();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return result(name, new long[][] {latencies}, new int[] {n}, errors, seconds);
  }

  private static LoadResult result(
      String name, long[][] latencies, int[] counts, long errors, double seconds) {
    int total = 0;
    for (int c : counts) {
      total += c;
    }
    long[] all = new long[total];
    int at = 0;
    for (int t = 0; t < counts.length; t++) {
      System.arraycopy(latencies[t], 0, all, at, counts[t]);
      at += counts[t];
    }
    return new LoadResult(name, total, errors, seconds, all);
  }

  static void pause(Duration d) {
    LockSupport.parkNanos(TimeUnit.NANOSECONDS.convert(d));
  }
}
