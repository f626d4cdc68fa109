package dev.probekit.benchmarks.http;

import java.net.InetSocketAddress;

/**
 * An application whose request workers are all busy on slow requests, with Probekit's probe
 * served where that stack serves it. {@link #slowAddress()} is what the saturating clients hit;
 * {@link #appOkAddress()} is a trivial endpoint on the application's own workers, measured for
 * contrast (what a health endpoint on the saturated pool would see).
 */
interface OverloadScenario extends AutoCloseable {
  String name();

  /** How many request workers the application has. */
  int workers();

  InetSocketAddress slowAddress();

  InetSocketAddress probeAddress();

  InetSocketAddress appOkAddress();

  /** Whether every worker is busy right now (sampled during the run to prove saturation). */
  boolean allWorkersBusy();

  /** Whether DESIGN.md sets a latency budget here (built-in server and Netty; not servlets). */
  default boolean budgeted() {
    return true;
  }

  /** The probe p99 budget in milliseconds where {@link #budgeted()}: 10 unless said otherwise. */
  default double budgetMillis() {
    return 10;
  }

  @Override
  void close();
}
