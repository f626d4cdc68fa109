package dev.probekit.it.hostile;

/**
 * {@code ProbeHandler} in an application's Netty pipeline, with the idle handler, codec limits and
 * water mark of docs/netty.md. It has no request-head deadline (an idle handler restarts with
 * every byte), which a non-blocking server does not need to keep answering probes: the suite
 * asserts that every probe is answered while the slow connections stay open.
 */
class NettyPipelineHostileTest extends HostileClientSuite {
  @Override
  protected Target target() {
    return Target.NETTY_PIPELINE;
  }
}
