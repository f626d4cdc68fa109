package dev.probekit.it.hostile;

import java.util.Set;

/**
 * {@code ProbeServlet} on Jetty 12.1 with a 10 s connector idle timeout. Jetty has no
 * request-head deadline (its idle timeout restarts with every byte), so slow connections stay
 * open while every probe is answered. It answers some malformed requests itself, before the
 * servlet: 505 for an HTTP version it does not speak (in the contract), 501 for an unknown
 * transfer coding, 426 for some upgrade and HTTP/2-style requests, 417 for an unknown Expect.
 *
 * <p>Its {@code QueuedThreadPool} keeps the threads it grew for 10,000 short connections from four
 * clients until they have been idle for 60 s (its default idle timeout), longer than the scenario:
 * the suite asserts the weaker bound it meets, at most 16 threads over the baseline (measured: up
 * to 3), and file descriptors back to the baseline.
 */
class JettyHostileTest extends HostileClientSuite {
  @Override
  protected Target target() {
    return Target.JETTY;
  }

  @Override
  protected int extraThreadsAfterShortConnections() {
    return 16;
  }

  @Override
  protected Set<Integer> containerStatuses() {
    return Set.of(417, 426, 501);
  }
}
