package dev.probekit.netty;

/** {@link AbstractProbeHandlerTest} with aggregation {@code BEFORE_PROBES}. */
class ProbeHandlerAfterAggregatorTest extends AbstractProbeHandlerTest {
  @Override
  TestServer.Aggregation aggregation() {
    return TestServer.Aggregation.BEFORE_PROBES;
  }
}
