package dev.probekit.it.hostile;

import java.util.Set;

/**
 * The Spring Boot starter on the application's main port, embedded Tomcat 11 with {@code
 * server.tomcat.connection-timeout=5s} and {@code keep-alive-timeout=10s}: Tomcat's lines (see
 * {@link TomcatHostileTest}).
 */
class SpringMainPortHostileTest extends HostileClientSuite {
  @Override
  protected Target target() {
    return Target.SPRING_MAIN_PORT;
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
