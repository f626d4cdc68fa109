package dev.probekit.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.ShutdownSummary;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The probes on their own Netty port. */
@ExtendWith(LeakCheck.class)
class NettyProbeServerTest {
  private final HealthRegistry health = HealthRegistry.builder().build();

  @AfterEach
  void stop() {
    health.close();
  }

  private NettyProbeServer start(ProbeEndpoints endpoints) {
    return NettyProbeServer.builder(endpoints)
        .port(0)
        .bindAddress(InetAddress.getLoopbackAddress())
        .start();
  }

  @Test
  void servesTheProbesAnd404ForEverythingElse() throws Exception {
    try (NettyProbeServer server = start(ProbeEndpoints.of(health));
        RawHttp raw = new RawHttp(server.port())) {
      RawHttp.Response live = raw.send(RawHttp.get("/livez")).read();
      health.readiness().down("not yet");
      RawHttp.Response ready = raw.send(RawHttp.get("/readyz")).read();
      RawHttp.Response other = raw.send(RawHttp.get("/metrics")).read();
      RawHttp.Response head = raw.send(RawHttp.request("HEAD", "/other", "")).read(true);
      RawHttp.Response post =
          raw.send(RawHttp.request("POST", "/upload", "Content-Length: 4\r\n") + "data").read();

      assertThat(live.status).isEqualTo(200);
      assertThat(ready.status).isEqualTo(503);
      assertThat(ready.body).isEqualTo("readiness check failed");
      assertThat(other.status).isEqualTo(404);
      assertThat(other.body).isEqualTo("not found");
      assertThat(other.header("Cache-Control")).isEqualTo("no-store");
      assertThat(head.status).isEqualTo(404);
      assertThat(head.header("Content-Length")).isEqualTo("9");
      assertThat(post.status).isEqualTo(404);
      assertThat(raw.send(RawHttp.get("/livez")).read().body).isEqualTo("ok");
    }
  }

  @Test
  void servesAPrefixedContract() throws Exception {
    try (NettyProbeServer server = start(ProbeEndpoints.builder(health).prefix("/health").build());
        RawHttp raw = new RawHttp(server.port())) {
      assertThat(raw.send(RawHttp.get("/health/livez")).read().body).isEqualTo("ok");
      assertThat(raw.send(RawHttp.get("/livez")).read().status).isEqualTo(404);
    }
  }

  @Test
  void answers414ForOverlongQueriesAndRequestLines() throws Exception {
    try (NettyProbeServer server = start(ProbeEndpoints.of(health))) {
      try (RawHttp raw = new RawHttp(server.port())) {
        RawHttp.Response response = raw.send(RawHttp.get("/readyz?" + "a".repeat(3_000))).read();
        assertThat(response.status).isEqualTo(414);
        assertThat(response.body).isEqualTo("URI too long");
      }
      try (RawHttp raw = new RawHttp(server.port())) {
        RawHttp.Response response = raw.send(RawHttp.get("/readyz?" + "a".repeat(10_000))).read();
        assertThat(response.status).isEqualTo(414);
        assertThat(response.header("Connection")).isEqualTo("close");
        assertThat(raw.closedByServer()).isTrue();
      }
    }
  }

  @Test
  void closeFreesThePortAndLeavesASharedGroupRunning() throws Exception {
    EventLoopGroup shared = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      NettyProbeServer server =
          NettyProbeServer.builder(ProbeEndpoints.of(health))
              .port(0)
              .bindAddress(InetAddress.getLoopbackAddress())
              .eventLoopGroup(shared)
              .start();
      int port = server.port();
      RawHttp open = new RawHttp(port);

      server.close();
      server.close();

      assertThat(open.closedByServer()).isTrue();
      open.close();
      // The JDK frees a selector-registered socket at the loop's next select, a moment later.
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
                      .isInstanceOf(ConnectException.class));
      assertThat(shared.isShuttingDown()).isFalse();
    } finally {
      shared.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void failsToStartOnAPortInUse() {
    try (NettyProbeServer first = start(ProbeEndpoints.of(health))) {
      assertThatThrownBy(
              () ->
                  NettyProbeServer.builder(ProbeEndpoints.of(health))
                      .port(first.port())
                      .bindAddress(InetAddress.getLoopbackAddress())
                      .start())
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("cannot start probe server");
    }
  }

  @Test
  void withALifecycleItClosesLastAfterEveryShutdownTask() throws Exception {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ZERO).build();
    AtomicInteger livezDuringTask = new AtomicInteger();
    AtomicReference<String> connectionDuringTask = new AtomicReference<>();
    AtomicInteger port = new AtomicInteger();
    // Registered before the server: tasks run last-registered-first, so were the server an
    // ordinary task it would be closed before this one runs.
    lifecycle.addShutdownTask(
        "early-task",
        () -> {
          try (RawHttp raw = new RawHttp(port.get())) {
            RawHttp.Response live = raw.send(RawHttp.get("/livez")).read();
            livezDuringTask.set(live.status);
            connectionDuringTask.set(live.header("Connection"));
          }
        });
    NettyProbeServer server =
        NettyProbeServer.builder(ProbeEndpoints.of(health))
            .port(0)
            .bindAddress(InetAddress.getLoopbackAddress())
            .lifecycle(lifecycle)
            .start();
    port.set(server.port());

    ShutdownSummary summary = lifecycle.shutdown();

    assertThat(summary.failedTasks()).isEmpty();
    assertThat(livezDuringTask.get()).isEqualTo(200);
    assertThat(connectionDuringTask.get()).isEqualTo("close");
    assertThatThrownBy(() -> new Socket("127.0.0.1", port.get()).close())
        .isInstanceOf(ConnectException.class);
    server.close(); // idempotent
  }
}
