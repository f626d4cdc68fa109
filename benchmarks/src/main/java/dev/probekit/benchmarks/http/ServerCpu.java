package dev.probekit.benchmarks.http;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * A stack whose probe server and constant-{@code ok} twin each run on one known thread, so the
 * CPU time each spends per request can be measured: a figure that other processes on a shared
 * machine barely move, unlike requests per second.
 */
interface ServerCpu {
  ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** The probe server's thread. */
  Thread probeThread();

  /** The constant-{@code ok} twin's thread. */
  Thread okThread();

  /** CPU time of {@code thread} so far, in nanoseconds. */
  static long cpuNanos(Thread thread) {
    return THREADS.getThreadCpuTime(thread.getId());
  }
}
