package dev.probekit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo jar in a child JVM with its gRPC probe port on: kubelet-style {@code Check}s pass, a
 * {@code Watch} on readiness sees NOT_SERVING as soon as SIGTERM arrives, liveness keeps SERVING
 * through the drain, the watch is completed and the JVM exits 0.
 */
class DemoGrpcIT {
  private static final Pattern GRPC_PORT = Pattern.compile("probekit-demo ports grpc=(\\d+)");

  @Test
  void grpcProbesAnswerAndDrainWithTheHttpOnes() throws Exception {
    try (DemoProcess demo = DemoProcess.start("-Dprobekit.demo.grpc-port=0").awaitStarted()) {
      int port = grpcPort(demo);
      // Ready once its checks have run, as the HTTP probes say.
      await().atMost(Duration.ofSeconds(15)).until(() -> kubeletProbe(port, "") && kubeletProbe(port, "readiness"));
      assertThat(kubeletProbe(port, "liveness")).isTrue();
      assertThat(kubeletProbe(port, "no-such-check")).isFalse();

      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        List<ServingStatus> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean completed = new AtomicBoolean();
        HealthGrpc.newStub(channel)
            .watch(
                HealthCheckRequest.newBuilder().setService("readiness").build(),
                new StreamObserver<>() {
                  @Override
                  public void onNext(HealthCheckResponse value) {
                    seen.add(value.getStatus());
                  }

                  @Override
                  public void onError(Throwable t) {
                    // A drop without completion shows as completed == false below.
                  }

                  @Override
                  public void onCompleted() {
                    completed.set(true);
                  }
                });
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(ServingStatus.SERVING));

        long t0 = System.nanoTime();
        demo.process.destroy(); // SIGTERM
        await().atMost(Duration.ofSeconds(2)).until(() -> seen.contains(ServingStatus.NOT_SERVING));
        // Within the 1 s pre-stop delay: still alive, no longer ready.
        assertThat(kubeletProbe(port, "liveness")).isTrue();
        assertThat(kubeletProbe(port, "readiness")).isFalse();

        assertThat(demo.process.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(demo.process.exitValue()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
        await().atMost(Duration.ofSeconds(5)).until(completed::get);
        assertThat(seen).containsExactly(ServingStatus.SERVING, ServingStatus.NOT_SERVING);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void grpcPortIsOffByDefault() throws Exception {
    try (DemoProcess demo = DemoProcess.start().awaitStarted()) {
      assertThat(demo.output()).doesNotContain("ports grpc=");
    }
  }

  private static int grpcPort(DemoProcess demo) {
    int[] port = {-1};
    await().atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Matcher m = GRPC_PORT.matcher(demo.output());
              if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
              }
              return port[0] > 0;
            });
    return port[0];
  }

  /** The kubelet's gRPC probe: a new connection, a 1 s deadline, SERVING or failure. */
  private static boolean kubeletProbe(int port, String service) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().userAgent("kube-probe/1.34").build();
    try {
      return HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(1, TimeUnit.SECONDS)
              .check(HealthCheckRequest.newBuilder().setService(service).build())
              .getStatus()
          == ServingStatus.SERVING;
    } catch (RuntimeException e) {
      return false;
    } finally {
      channel.shutdownNow();
    }
  }
}
