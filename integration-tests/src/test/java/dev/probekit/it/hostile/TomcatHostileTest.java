package dev.probekit.it.hostile;

import java.util.Set;

/**
 * {@code ProbeServlet} on Tomcat 11 with {@code connectionTimeout=5000}, {@code
 * keepAliveTimeout=10000}. Tomcat's NIO connector reads request heads without holding a thread,
 * but has no deadline for the whole head (its connection timeout restarts with every byte). It
 * answers some malformed requests itself: 501 for an unknown transfer coding, 417 for an unknown
 * Expect, and a request line it cannot parse as HTTP/1.x the HTTP/0.9 way (a 400 page without a
 * status line).
 */
class TomcatHostileTest extends HostileClientSuite {
  @Override
  protected Target target() {
    return Target.TOMCAT;
  }

  @Override
  protected Set<Integer> containerStatuses() {
    return Set.of(417, 501);
  }

  @Override
  protected boolean answersHttp09() {
    return true;
  }
}
