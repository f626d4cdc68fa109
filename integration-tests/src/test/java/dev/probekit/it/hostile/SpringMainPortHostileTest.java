package dev.probekit.it.hostile;

/**
 * The Spring Boot starter on the application's main port, embedded Tomcat 11 with {@code
 * server.tomcat.connection-timeout=5s} and {@code keep-alive-timeout=10s}: Tomcat's lines, as for
 * {@link TomcatHostileTest}.
 */
class SpringMainPortHostileTest extends TomcatHostileTest {
  @Override
  protected Target target() {
    return Target.SPRING_MAIN_PORT;
  }
}
