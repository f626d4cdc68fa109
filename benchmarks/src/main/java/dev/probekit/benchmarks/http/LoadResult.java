package dev.probekit.benchmarks.http;

import java.util.Arrays;

/** Throughput and latency percentiles of one bounded load run. */
final class LoadResult {
  final String name;
  final long requests;
  final long errors;
  final double seconds;
  private final long[] sortedNanos;

  LoadResult(String name, long requests, long errors, double seconds, long[] latenciesNanos) {
    this.name = name;
    this.requests = requests;
    this.errors = errors;
    this.seconds = seconds;
    this.sortedNanos = latenciesNanos.clone();
    Arrays.sort(sortedNanos);
  }

  /** Several rounds of the same run as one: requests and seconds add up, latencies pool. */
  static LoadResult merge(String name, java.util.List<LoadResult> rounds) {
    long requests = 0;
    long errors = 0;
    double seconds = 0;
    int total = 0;
    for (LoadResult r : rounds) {
      requests += r.requests;
      errors += r.errors;
      seconds += r.seconds;
      total += r.sortedNanos.length;
    }
    long[] all = new long[total];
    int at = 0;
    for (LoadResult r : rounds) {
      System.arraycopy(r.sortedNanos, 0, all, at, r.sortedNanos.length);
      at += r.sortedNanos.length;
    }
    return new LoadResult(name, requests, errors, seconds, all);
  }

  double throughput() {
    return requests / seconds;
  }

  /** The {@code p}-th percentile latency in microseconds (nearest rank). */
  double percentileMicros(double p) {
    if (sortedNanos.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length) - 1;
    return sortedNanos[Math.max(0, Math.min(rank, sortedNanos.length - 1))] / 1_000.0;
  }

  int samples() {
    return sortedNanos.length;
  }

  @Override
  public String toString() {
    return String.format(
        "%-34s %9.0f req/s  p50 %8.1f us  p99 %8.1f us  (%d requests, %d errors, %.1f s)",
        name, throughput(), percentileMicros(50), percentileMicros(99), requests, errors, seconds);
  }
}
