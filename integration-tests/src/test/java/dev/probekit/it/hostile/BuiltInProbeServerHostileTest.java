package dev.probekit.it.hostile;

import java.time.Duration;
import java.util.Optional;

/**
 * The built-in {@code ProbeServer}: every line of the suite, with its 1 s request-head deadline.
 */
class BuiltInProbeServerHostileTest extends HostileClientSuite {
  @Override
  protected Target target() {
    return Target.BUILT_IN;
  }

  @Override
  protected Optional<Duration> requestHeadDeadline() {
    return Optional.of(Duration.ofSeconds(1));
  }
}
