package dev.probekit.it.hostile;

import dev.probekit.netty.NettyProbeServer;
import java.time.Duration;
import java.util.Optional;

/** {@code NettyProbeServer}: every line of the suite, with its 1 s request-head deadline. */
class NettyProbeServerHostileTest extends HostileClientSuite {
  @Override
  protected Target target() {
    return Target.NETTY_PROBE_SERVER;
  }

  @Override
  protected Optional<Duration> requestHeadDeadline() {
    return Optional.of(NettyProbeServer.DEFAULT_REQUEST_HEAD_TIMEOUT);
  }
}
