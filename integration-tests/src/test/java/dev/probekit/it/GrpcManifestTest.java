package dev.probekit.it;

import static dev.probekit.it.Manifests.get;
import static dev.probekit.it.Manifests.list;
import static dev.probekit.it.Manifests.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.internal.Durations;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.grpc.GrpcProbeServer;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Parses deploy/kubernetes/grpc/deployment.yaml (the demo with {@code grpc:} probes) and checks
 * it against the library: each probe names a service a real {@link GrpcProbeServer} answers, on
 * the port the demo is told to serve gRPC probes on, with the kubelet's 1 s timeout; the drain
 * numbers fit the grace period as in the HTTP manifest.
 */
class GrpcManifestTest {
  private static Map<String, Object> deployment;

  @BeforeAll
  static void load() throws IOException {
    List<Map<String, Object>> docs = Manifests.load(Manifests.deployDir().resolve("grpc/deployment.yaml"));
    assertThat(docs).hasSize(1);
    deployment = docs.get(0);
    assertThat(deployment.get("kind")).isEqualTo("Deployment");
  }

  @Test
  void everyProbeIsAGrpcProbeOnTheDemosGrpcPort() {
    int grpcPort = Integer.parseInt(envValue("PROBEKIT_DEMO_GRPC_PORT"));
    assertThat(containerPort("grpc-probes")).isEqualTo(grpcPort);
    for (Probe probe : Probe.values()) {
      Map<String, Object> p = probe(probe);
      assertThat(p).as(probe + " probe").doesNotContainKeys("httpGet", "tcpSocket", "exec");
      // The kubelet resolves no named port for grpc: probes; it must be the number.
      assertThat(get(p, "grpc", "port")).as(probe + " grpc.port").isEqualTo(grpcPort);
      assertThat(get(p, "grpc", "service")).as(probe + " grpc.service").isEqualTo(probe.displayName());
      assertThat(p.get("timeoutSeconds")).as(probe + " timeoutSeconds").isEqualTo(1);
    }
    // The gRPC probe port is not application traffic: no Service port may point at it (the
    // Service is ../service.yaml, shared with the HTTP manifest, which targets "http" only).
  }

  @Test
  void theServiceNamesAreAnsweredByARealProbeServer() throws Exception {
    try (HealthRegistry health = HealthRegistry.builder().build()) {
      GrpcProbeServer server = GrpcProbeServer.builder(health).port(0).start();
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        // Warm this JVM's client (class loading, the first connection) outside the 1 s deadline.
        HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(20, TimeUnit.SECONDS)
            .check(HealthCheckRequest.newBuilder().setService("").build());
        for (Probe probe : Probe.values()) {
          String service = (String) get(probe(probe), "grpc", "service");
          ServingStatus status =
              HealthGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(1, TimeUnit.SECONDS)
                  .check(HealthCheckRequest.newBuilder().setService(service).build())
                  .getStatus();
          assertThat(status).as("Check(\"%s\")", service).isEqualTo(ServingStatus.SERVING);
        }
        // And the name that the kubelet must see fail during shutdown does fail.
        health.readiness().down("shutting down");
        String readiness = (String) get(probe(Probe.READINESS), "grpc", "service");
        assertThat(
                HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(1, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(readiness).build())
                    .getStatus())
            .isEqualTo(ServingStatus.NOT_SERVING);
      } finally {
        channel.shutdownNow();
        server.close();
      }
    }
  }

  @Test
  void drainFitsTheGracePeriodAndLivenessOutlastsReadiness() {
    int grace = (Integer) get(map(get(deployment, "spec", "template", "spec")), "terminationGracePeriodSeconds");
    Duration preStopDelay = Durations.parse(envValue("PROBEKIT_SHUTDOWN_PRE_STOP_DELAY"));
    Duration drain = Durations.parse(envValue("PROBEKIT_SHUTDOWN_DRAIN_TIMEOUT"));
    Duration libraryGrace = Durations.parse(envValue("PROBEKIT_SHUTDOWN_GRACE_PERIOD"));
    Duration margin = Durations.parse(envValue("PROBEKIT_SHUTDOWN_SAFETY_MARGIN"));
    assertThat(Duration.ofSeconds(grace)).isGreaterThan(preStopDelay.plus(drain).plus(margin));
    assertThat(libraryGrace).isEqualTo(Duration.ofSeconds(grace));
    assertThat(List.of(preStopDelay, drain, libraryGrace, margin))
        .containsExactly(
            Lifecycle.DEFAULT_PRE_STOP_DELAY,
            Lifecycle.DEFAULT_DRAIN_TIMEOUT,
            Lifecycle.DEFAULT_GRACE_PERIOD,
            Lifecycle.DEFAULT_SAFETY_MARGIN);
    Map<String, Object> readiness = probe(Probe.READINESS);
    Map<String, Object> liveness = probe(Probe.LIVENESS);
    assertThat((Integer) liveness.get("periodSeconds") * (Integer) liveness.get("failureThreshold"))
        .isGreaterThan((Integer) readiness.get("periodSeconds") * (Integer) readiness.get("failureThreshold"));
    // The preStop hook is the HTTP probe server's, which the demo always runs.
    assertThat(get(container(), "lifecycle", "preStop", "httpGet", "path")).isEqualTo("/prestop");
    assertThat(get(container(), "lifecycle", "preStop", "httpGet", "port")).isEqualTo("probes");
  }

  private static Map<String, Object> probe(Probe probe) {
    return map(get(container(), probe.displayName() + "Probe"));
  }

  private static Map<String, Object> container() {
    return Manifests.onlyContainer(deployment);
  }

  private static int containerPort(String name) {
    for (Object p : list(container().get("ports"))) {
      if (name.equals(map(p).get("name"))) {
        return (Integer) map(p).get("containerPort");
      }
    }
    throw new AssertionError("no container port named " + name);
  }

  private static String envValue(String name) {
    String value = Manifests.envValue(container(), name);
    assertThat(value).as("env " + name).isNotNull();
    return value;
  }
}
