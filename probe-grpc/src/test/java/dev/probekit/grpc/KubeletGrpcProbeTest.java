package dev.probekit.grpc;

import static dev.probekit.grpc.GrpcFixtures.kubeletProbe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes' native gRPC probe against the probe server: {@code grpc.service} chooses the probe,
 * the probe's timeout (1 s by default) is the call's deadline, SERVING passes and anything else
 * (another status, NOT_FOUND, no answer in time) fails.
 */
class KubeletGrpcProbeTest {
  private HealthRegistry health;
  private GrpcProbeServer server;
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void start() {
    health = HealthRegistry.builder().build();
    server = GrpcProbeServer.builder(health).port(0).start();
    // Warm this JVM's client (class loading, Netty's first event loop) outside the 1 s deadline:
    // the kubelet's own client is a warm Go process.
    io.grpc.ManagedChannel warm = GrpcFixtures.channel(server.port());
    try {
      GrpcFixtures.check(warm, "liveness");
    } finally {
      warm.shutdownNow();
    }
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.close();
    health.close();
  }

  @Test
  void servicePicksTheProbe() {
    health.readiness().down("not yet");
    assertThat(kubeletProbe(server.port(), "liveness")).isTrue();
    assertThat(kubeletProbe(server.port(), "startup")).isTrue();
    assertThat(kubeletProbe(server.port(), "readiness")).isFalse();
    assertThat(kubeletProbe(server.port(), "")).isFalse();
    health.readiness().clear();
    assertThat(kubeletProbe(server.port(), "readiness")).isTrue();
    assertThat(kubeletProbe(server.port(), "")).isTrue();
  }

  @Test
  void unknownServiceFails() {
    assertThat(kubeletProbe(server.port(), "readyz")).isFalse();
  }

  @Test
  void hungChecksNeverDelayTheAnswer() {
    // Every check hangs; the probe still answers (from the snapshot) well inside 1 s.
    for (int i = 0; i < 4; i++) {
      health.register(
          "hung-" + i,
          () -> {
            release.await();
            return CheckResult.up();
          },
          CheckOptions.builder(Probe.READINESS).timeout(Duration.ofMinutes(5)).build());
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      assertThat(kubeletProbe(server.port(), "liveness")).isTrue();
      assertThat(kubeletProbe(server.port(), "readiness")).isFalse();
    }
    // 40 probes, each a new connection: far below 40 × the 1 s deadline.
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void aServerThatNeverAnswersFailsAfterTheTimeout() throws IOException {
    // A TCP peer that accepts and never speaks HTTP/2: the kubelet gives up at its deadline.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    accepted.add(silent.accept());
                  }
                } catch (IOException e) {
                  // Closed by the test: done accepting.
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      long t0 = System.nanoTime();
      assertThat(kubeletProbe(silent.getLocalPort(), "")).isFalse();
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  @Test
  void readinessFollowsTheLifecycleDrain() {
    dev.probekit.core.lifecycle.Lifecycle lifecycle =
        dev.probekit.core.lifecycle.Lifecycle.builder(health)
            .preStopDelay(Duration.ofMillis(300))
            .drainTimeout(Duration.ofMillis(200))
            .exitOnSignal(false)
            .build();
    health.readiness().down("starting");
    health.readiness().clear();
    assertThat(kubeletProbe(server.port(), "readiness")).isTrue();
    Thread stopper = new Thread(lifecycle::shutdown);
    stopper.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> !kubeletProbe(server.port(), "readiness"));
    assertThat(kubeletProbe(server.port(), "liveness")).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> !stopper.isAlive());
  }
}
