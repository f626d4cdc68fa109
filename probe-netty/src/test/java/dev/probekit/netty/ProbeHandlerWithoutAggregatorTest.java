package dev.probekit.netty;

/** {@link AbstractProbeHandlerTest} with aggregation {@code NONE}. */
class ProbeHandlerWithoutAggregatorTest extends AbstractProbeHandlerTest {
  @Override
  TestServer.Aggregation aggregation() {
    return TestServer.Aggregation.NONE;
  }
}
