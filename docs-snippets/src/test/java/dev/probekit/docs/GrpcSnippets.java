package dev.probekit.docs;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.grpc.GrpcDrain;
import dev.probekit.grpc.GrpcProbeServer;
import dev.probekit.grpc.ProbeHealthService;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import java.io.IOException;

/** The samples of docs/grpc.md. */
final class GrpcSnippets {

  private GrpcSnippets() {}

  static Server ownServer(HealthRegistry health, Lifecycle lifecycle, BindableService myService)
      throws IOException {
    // tag::server[]
    ProbeHealthService probes = ProbeHealthService.of(health);
    Server server = ServerBuilder.forPort(9090)
        .addService(myService)
        .addService(probes)
        .intercept(GrpcDrain.interceptor(lifecycle))   // counts every RPC except Health's
        .build().start();
    GrpcDrain.register(lifecycle, "grpc", server, probes);
    // end::server[]
    return server;
  }

  static GrpcProbeServer probePort(HealthRegistry health, Lifecycle lifecycle) {
    // tag::probe-port[]
    GrpcProbeServer grpcProbes = GrpcProbeServer.builder(health).port(8082).lifecycle(lifecycle).start();
    // end::probe-port[]
    return grpcProbes;
  }
}
