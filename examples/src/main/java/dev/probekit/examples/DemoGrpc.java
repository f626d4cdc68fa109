package dev.probekit.examples;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.grpc.GrpcProbeServer;
import java.util.Map;

/**
 * The demo's optional gRPC probe port: the standard {@code grpc.health.v1.Health} service for
 * Kubernetes' {@code grpc:} probes, next to the HTTP probes and drained in the same sequence (it
 * answers through the drain and closes last; its watchers get NOT_SERVING and are completed).
 *
 * <p>Off by default; on when {@value #GRPC_PORT} (environment {@code PROBEKIT_DEMO_GRPC_PORT}) is
 * set, plaintext, {@code 0} for a random port.
 */
final class DemoGrpc {
  static final String GRPC_PORT = "probekit.demo.grpc-port";

  private DemoGrpc() {}

  /**
   * Starts the gRPC probe server if the setting is present, and prints {@code probekit-demo ports
   * grpc=<port>}; exits with status 2 if the setting is not a port number.
   */
  static void startIfConfigured(
      HealthRegistry health, Lifecycle lifecycle, Map<String, String> sys, Map<String, String> env) {
    String value = sys.get(GRPC_PORT);
    if (value == null) {
      value = env.get(DemoConfig.envName(GRPC_PORT));
    }
    if (value == null || value.isBlank()) {
      return;
    }
    int port;
    try {
      port = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      // As for every other setting: one line and exit status 2, no stack trace.
      System.err.println(
          "probekit-demo: invalid setting: " + GRPC_PORT + ": '" + value + "' (expected: 0..65535)");
      System.exit(2);
      return;
    }
    GrpcProbeServer server = GrpcProbeServer.builder(health).port(port).lifecycle(lifecycle).start();
    System.out.println("probekit-demo ports grpc=" + server.port());
    System.out.flush();
  }
}
