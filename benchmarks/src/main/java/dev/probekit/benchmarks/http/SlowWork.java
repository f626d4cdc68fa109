package dev.probekit.benchmarks.http;

/** The application's slow request: a blocking downstream call of a fixed duration. */
final class SlowWork {
  private SlowWork() {}

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
