package dev.probekit.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.testkit.RawHttp;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Long-poll watchers in servlet async mode are released when the lifecycle starts to drain. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServletLongPollDrainTest {
  private final HealthRegistry health = HealthRegistry.builder().build();
  private final List<Socket> sockets = new ArrayList<>();
  private TestContainer container;


  @AfterEach
  void close() throws Exception {
    for (Socket socket : sockets) {
      socket.close();
    }
    if (container != null) {
      container.close();
    }
    health.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"jetty", "tomcat"})
  void watchersAreReleasedAtDrainStartWithConnectionClose(String name) throws Exception {
    container = "jetty".equals(name) ? new JettyContainer() : new TomcatContainer();
    Lifecycle lifecycle =
        Lifecycle.builder(health).exitOnSignal(false).preStopDelay(Duration.ofMillis(5_000)).build();
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);
    int port =
        container.start("", (classes, context) -> ProbeServlets.register(context, endpoints, lifecycle));
    URI base = URI.create("http://127.0.0.1:" + port);
    Socket live = watch(base, "/livez", "\"up\"");
    Socket ready = watch(base, "/readyz", "\"up\"");
    for (Socket socket : List.of(live, ready)) {
      Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
          .until(() -> socket.getInputStream().available() == 0);
    }

    long t0 = System.nanoTime();
    lifecycle.preStopAsync();
    RawHttp.Response readyAnswer = RawHttp.read(new BufferedInputStream(ready.getInputStream()), false);
    RawHttp.Response liveAnswer = RawHttp.read(new BufferedInputStream(live.getInputStream()), false);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(readyAnswer.status()).as(readyAnswer.toString()).isEqualTo(503);
    assertThat(readyAnswer.header("ETag")).isEqualTo("\"down\"");
    assertThat(readyAnswer.header("Connection")).isEqualTo("close");
    assertThat(liveAnswer.status()).as(liveAnswer.toString()).isEqualTo(304);
    assertThat(liveAnswer.header("Connection")).isEqualTo("close");
    assertThat(millis).as("released long before the 5 s pre-stop delay is over").isLessThan(2_000);
  }

  private Socket watch(URI base, String path, String etag) throws IOException {
    Socket socket = RawHttp.open(base);
    socket.setSoTimeout(20_000);
    sockets.add(socket);
    RawHttp.write(socket.getOutputStream(), base, "GET", path, false,
        "If-None-Match: " + etag, "Prefer: wait=30");
    return socket;
  }
}
