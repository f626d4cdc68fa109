package dev.probekit.grpc;

import static dev.probekit.grpc.GrpcFixtures.kubeletProbe;
import static io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING;
import static io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.HealthRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that hold resources and give nothing back: watchers that never read, idle and half-open
 * connections, more watchers than allowed. The probe server keeps answering the kubelet within its
 * 1 s deadline, and what it keeps per watcher stays bounded.
 */
class HostileClientsTest {
  private HealthRegistry health;
  private GrpcProbeServer server;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void start() {
    health = HealthRegistry.builder().build();
    server =
        GrpcProbeServer.builder(health)
            .port(0)
            .service(ProbeHealthService.builder(health).maxWatchers(1_000).build())
            .maxConnectionIdle(Duration.ofSeconds(2))
            .start();
  }

  @AfterEach
  void stop() throws IOException {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (Socket s : sockets) {
      s.close();
    }
    server.close();
    server.service().close();
    health.close();
  }

  /** A client whose HTTP/2 receive window is tiny, so a watcher that does not read blocks soon. */
  private ManagedChannel stingyChannel() {
    ManagedChannel c =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port())
            .usePlaintext()
            .flowControlWindow(64)
            .build();
    channels.add(c);
    return c;
  }

  @Test
  void watchersThatNeverReadAreBoundedAndEndOnTheLatestStatus() {
    int watchers = 200;
    List<WatchRecorder> stuck = new ArrayList<>();
    for (int c = 0; c < 10; c++) {
      ManagedChannel channel = stingyChannel();
      for (int i = 0; i < watchers / 10; i++) { // 20 per connection: within the call limit
        stuck.add(WatchRecorder.watchWithoutReading(channel, "readiness"));
      }
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> server.service().watchers() == watchers);

    // Far more transitions than any buffer on the way holds.
    int flips = 6_000;
    long maxPending = 0;
    for (int i = 0; i < flips; i++) {
      health.readiness().down("flap");
      health.readiness().clear();
      if (i % 1_000 == 0) {
        maxPending = Math.max(maxPending, server.service().pendingStatuses());
        // The kubelet is still answered in time while every watcher is stuck.
        assertThat(kubeletProbe(server.port(), "liveness")).isTrue();
      }
    }
    health.readiness().down("final");
    maxPending = Math.max(maxPending, server.service().pendingStatuses());
    assertThat(maxPending).isLessThanOrEqualTo((long) watchers * 16);
    assertThat(kubeletProbe(server.port(), "readiness")).isFalse();

    System.out.printf("max statuses queued: %d; ", maxPending);
    for (WatchRecorder w : stuck) {
      w.startReading();
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> stuck.stream().allMatch(w -> w.last() == NOT_SERVING));
    await().atMost(Duration.ofSeconds(10)).until(() -> server.service().pendingStatuses() == 0);
    System.out.printf("messages per watcher: %d of %d transitions%n", stuck.get(0).statuses.size(), 2 * flips + 1);
    for (WatchRecorder w : stuck) {
      assertThat(w.statuses.get(0)).isEqualTo(SERVING);
      // Coalesced: far fewer messages than transitions, never two equal ones in a row.
      assertThat(w.statuses.size()).isLessThan(2 * flips);
      for (int i = 1; i < w.statuses.size(); i++) {
        assertThat(w.statuses.get(i)).isNotEqualTo(w.statuses.get(i - 1));
      }
    }
  }

  @Test
  void watchersBeyondTheLimitAreRefusedAndCancelledOnesAreForgotten() {
    List<WatchRecorder> held = new ArrayList<>();
    ManagedChannel channel = null;
    for (int i = 0; i < 1_000; i++) {
      if (i % 50 == 0) {
        // Within the server's limit of concurrent calls per connection.
        channel = GrpcFixtures.channel(server.port());
        channels.add(channel);
      }
      // Made-up names, as a scanner would send: each is its own entry until it goes.
      held.add(WatchRecorder.watch(channel, "made-up-" + i));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> server.service().watchers() == 1_000);
    WatchRecorder refused = WatchRecorder.watch(channel, "liveness");
    await().atMost(Duration.ofSeconds(10)).until(() -> refused.error != null);
    assertThat(Status.fromThrowable(refused.error).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(kubeletProbe(server.port(), "liveness")).isTrue();

    for (WatchRecorder w : held) {
      w.cancel();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> server.service().watchers() == 0);
    WatchRecorder again = WatchRecorder.watch(channel, "liveness");
    await().until(() -> again.last() == SERVING);
  }

  @Test
  void idleAndHalfOpenConnectionsDoNotStarveProbes() throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (int i = 0; i < 300; i++) {
      Socket s = new Socket(loopback, server.port());
      sockets.add(s);
      if (i % 3 == 1) {
        // Half a connection preface, then silence.
        OutputStream out = s.getOutputStream();
        out.write("PRI * HTTP/2.0\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } else if (i % 3 == 2) {
        // Garbage instead of HTTP/2.
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      }
    }
    // Idle gRPC connections too: open, one call, then nothing.
    for (int i = 0; i < 50; i++) {
      ManagedChannel c = GrpcFixtures.channel(server.port());
      channels.add(c);
      assertThat(GrpcFixtures.check(c, "liveness")).isEqualTo(SERVING);
    }
    for (int i = 0; i < 20; i++) {
      assertThat(kubeletProbe(server.port(), "")).isTrue();
    }
    // Idle gRPC connections are closed by the server after maxConnectionIdle (2 s here).
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                channels.stream()
                    .allMatch(c -> c.getState(false) == io.grpc.ConnectivityState.IDLE));
  }
}
