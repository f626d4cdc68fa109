package dev.probekit.it.fuzz;

import dev.probekit.core.Health;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.netty.NettyProbeServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Fuzzes probe-netty's {@link NettyProbeServer} (HttpServerCodec + ProbeHandler + fallback). */
class NettyProbeServerFuzzTest extends MalformedRequestFuzzTest {
  private Health health;
  private NettyProbeServer server;

  @Override
  protected InetSocketAddress start() {
    health = FuzzHealth.create();
    server =
        NettyProbeServer.builder(ProbeEndpoints.of(health))
            .bindAddress(InetAddress.getLoopbackAddress())
            .port(0)
            .start();
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
  }

  @Override
  protected void stop() {
    server.close();
    health.close();
  }

  @Override
  protected String target() {
    return "NettyProbeServer";
  }
}
