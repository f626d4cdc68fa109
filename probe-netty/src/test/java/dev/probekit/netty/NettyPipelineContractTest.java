package dev.probekit.netty;

import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.testkit.ProbeContractKit;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole probe contract through {@link ProbeHandler} in an application's pipeline without an
 * aggregator: {@code HttpServerCodec}, the probe handler, and an application answering 404.
 */
@ExtendWith(LeakCheck.class)
class NettyPipelineContractTest extends ProbeContractKit {
  private TestServer server;

  TestServer.Aggregation aggregation() {
    return TestServer.Aggregation.NONE;
  }

  @Override
  protected URI startServer(ProbeEndpoints endpoints) {
    server = TestServer.startWith404(endpoints, aggregation());
    return URI.create("http://127.0.0.1:" + server.port());
  }

  @Override
  protected void stopServer() {
    server.close();
  }

  /** Netty hands TRACE to the pipeline like any other method. */
  @Override
  protected List<String> methodsAnswered405() {
    List<String> methods = new ArrayList<>(super.methodsAnswered405());
    methods.add("TRACE");
    return methods;
  }
}
