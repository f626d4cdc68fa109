package dev.probekit.netty;

/**
 * {@link NettyPipelineContractTest} with an {@code HttpObjectAggregator} ahead of the probe
 * handler, which then sees {@code FullHttpRequest}s.
 */
class NettyAggregatedPipelineContractTest extends NettyPipelineContractTest {
  @Override
  TestServer.Aggregation aggregation() {
    return TestServer.Aggregation.BEFORE_PROBES;
  }
}
