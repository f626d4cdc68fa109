package dev.probekit.netty;

/** {@link AbstractProbeHandlerTest} with aggregation {@code AFTER_PROBES}. */
class ProbeHandlerBeforeAggregatorTest extends AbstractProbeHandlerTest {
  @Override
  TestServer.Aggregation aggregation() {
    return TestServer.Aggregation.AFTER_PROBES;
  }
}
