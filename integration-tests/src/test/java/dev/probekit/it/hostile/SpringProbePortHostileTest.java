package dev.probekit.it.hostile;

/**
 * The Spring Boot starter's separate probe port ({@code probekit.server.port}): the built-in
 * server, so every line of the suite as for {@link BuiltInProbeServerHostileTest}. Its flood child
 * JVM holds a whole Spring Boot application with Tomcat in the same 64 MB heap.
 */
class SpringProbePortHostileTest extends BuiltInProbeServerHostileTest {
  @Override
  protected Target target() {
    return Target.SPRING_PROBE_PORT;
  }
}
