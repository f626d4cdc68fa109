package dev.probekit.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.testkit.RawHttp;
import dev.probekit.core.testkit.RawSockets;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Long-poll watchers on Netty's event loop: drain release, a request behind a watcher. */
@ExtendWith(LeakCheck.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NettyLongPollTest {
  private final HealthRegistry health = HealthRegistry.builder().build();
  private final RawSockets sockets = new RawSockets();
  private NettyProbeServer server;
  private URI base;

  @AfterEach
  void close() throws IOException {
    sockets.close();
    if (server != null) {
      server.close();
    }
    health.close();
  }

  private void start(NettyProbeServer.Builder builder) {
    server = builder.port(0).bindAddress(InetAddress.getLoopbackAddress()).start();
    base = URI.create("http://127.0.0.1:" + server.port());
  }

  private Socket watch(String path, String etag) throws IOException {
    return sockets.watch(base, path, etag, 30);
  }

  @Test
  void watchersAreReleasedAtDrainStartWithConnectionClose() throws Exception {
    health.readiness().down("warming up");
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofMillis(5_000)).build();
    start(NettyProbeServer.builder(ProbeEndpoints.of(health)).lifecycle(lifecycle));
    Socket live = watch("/livez", "\"up\"");
    Socket ready = watch("/readyz", "\"down\"");
    // Both wait: nothing comes while nothing changes.
    for (Socket socket : List.of(live, ready)) {
      Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
          .until(() -> socket.getInputStream().available() == 0);
    }

    long t0 = System.nanoTime();
    lifecycle.preStopAsync();
    for (Socket socket : List.of(live, ready)) {
      RawHttp.Response answer = RawSockets.answer(socket);
      // Neither status changed (readiness was down already): released with 304.
      assertThat(answer.status()).as(answer.toString()).isEqualTo(304);
      assertThat(answer.header("Connection")).isEqualTo("close");
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
        .as("released long before the 5 s pre-stop delay is over").isLessThan(2_000);
  }

  @Test
  void requestBehindAWatcherReleasesItSoAnswersStayInOrder() throws Exception {
    start(NettyProbeServer.builder(ProbeEndpoints.of(health)));
    Socket socket = watch("/readyz", "\"up\"");
    InputStream in = new BufferedInputStream(socket.getInputStream());
    Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
        .until(() -> in.available() == 0);
    RawHttp.write(socket.getOutputStream(), base, "GET", "/livez?verbose", true);

    RawHttp.Response first = RawHttp.read(in, false);
    RawHttp.Response second = RawHttp.read(in, false);
    assertThat(first.status()).isEqualTo(304);
    assertThat(first.header("ETag")).isEqualTo("\"up\"");
    assertThat(first.header("Content-Length")).as("a 304 has no body").isNull();
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.header("ETag")).isEqualTo("W/\"up\"");
  }
}
