package dev.probekit.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.testkit.RawHttp;
import dev.probekit.core.testkit.RawSockets;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
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
  private final RawSockets sockets = new RawSockets();
  private TestContainer container;

  @AfterEach
  void close() throws Exception {
    sockets.close();
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
    Socket live = sockets.watch(base, "/livez", "\"up\"", 30);
    Socket ready = sockets.watch(base, "/readyz", "\"up\"", 30);
    for (Socket socket : List.of(live, ready)) {
      Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
          .until(() -> socket.getInputStream().available() == 0);
    }

    long t0 = System.nanoTime();
    lifecycle.preStopAsync();
    RawHttp.Response readyAnswer = RawSockets.answer(ready);
    RawHttp.Response liveAnswer = RawSockets.answer(live);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(readyAnswer.status()).as(readyAnswer.toString()).isEqualTo(503);
    assertThat(readyAnswer.header("ETag")).isEqualTo("\"down\"");
    assertThat(readyAnswer.header("Connection")).isEqualTo("close");
    assertThat(liveAnswer.status()).as(liveAnswer.toString()).isEqualTo(304);
    assertThat(liveAnswer.header("Connection")).isEqualTo("close");
    assertThat(millis).as("released long before the 5 s pre-stop delay is over").isLessThan(2_000);
  }
}
