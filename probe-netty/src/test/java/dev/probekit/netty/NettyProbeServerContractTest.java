package dev.probekit.netty;

import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.testkit.ProbeContractKit;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/** The whole probe contract on {@link NettyProbeServer}, the probes' own Netty port. */
@ExtendWith(LeakCheck.class)
class NettyProbeServerContractTest extends ProbeContractKit {
  private NettyProbeServer server;

  @Override
  protected URI startServer(ProbeEndpoints endpoints) {
    server =
        NettyProbeServer.builder(endpoints)
            .port(0)
            .bindAddress(InetAddress.getLoopbackAddress())
            .start();
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
