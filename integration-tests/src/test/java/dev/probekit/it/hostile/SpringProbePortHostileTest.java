package dev.probekit.it.hostile;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The Spring Boot starter's separate probe port ({@code probekit.server.port}): the built-in
 * server, so every line of the suite. Its child JVM holds a whole Spring Boot application with
 * Tomcat, hence a slightly larger heap than the bare servers.
 */
class SpringProbePortHostileTest extends HostileClientSuite {
  @Override
  protected Target target() {
    return Target.SPRING_PROBE_PORT;
  }

  @Override
  protected Optional<Duration> requestHeadDeadline() {
    return Optional.of(Duration.ofSeconds(1));
  }

  @Override
  protected List<String> floodJvmArgs() {
    return List.of("-Xmx64m", "-XX:MaxDirectMemorySize=32m");
  }
}
