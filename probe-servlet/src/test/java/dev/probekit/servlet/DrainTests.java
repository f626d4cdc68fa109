package dev.probekit.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.InflightTracker;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.ShutdownSummary;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A whole drain on a real container with the container's stop hook: slow synchronous and
 * asynchronous requests in flight on keep-alive connections, none lost, every client told to
 * close, the listener closed, and the container stopped after the drain. Subclassed once per
 * container.
 */
abstract class DrainTests {
  private static final Duration AWAIT = Duration.ofSeconds(10);
  /** Slow requests in flight during the drain, and their bodies. */
  private static final String[][] SLOW = {
    {"/slow", "slow done"},
    {"/slow", "slow done"},
    {"/slow-buffered", "slow buffered done"},
    {"/slow-buffered", "slow buffered done"},
    {"/async", "async done"},
    {"/async", "async done"},
  };

  HealthRegistry health;
  Lifecycle lifecycle;
  InflightTracker tracker;
  TestApp app;
  TestContainer container;
  ExecutorService clients;
  int port;

  abstract TestContainer newContainer() throws Exception;

  /**
   * Whether the container itself marks every response sent after its connectors stopped
   * accepting as {@code Connection: close}, even one committed by the application before it
   * returned or from an async thread (Jetty does; Tomcat decides keep-alive when a request
   * arrives, so it tells such a connection on its next request).
   */
  abstract boolean closesEveryResponseAfterStopAccepting();

  @BeforeEach
  void setUp() throws Exception {
    health = HealthRegistry.builder().build();
    lifecycle =
        Lifecycle.builder(health)
            .preStopDelay(Duration.ZERO)
            .drainTimeout(Duration.ofSeconds(10))
            .gracePeriod(Duration.ofSeconds(25))
            .exitOnSignal(false)
            .build();
    tracker = lifecycle.inflight();
    app = new TestApp();
    container = newContainer();
    clients = Executors.newFixedThreadPool(SLOW.length);
  }

  @AfterEach
  void tearDown() throws Exception {
    app.close();
    clients.shutdownNow();
    container.close();
    health.close();
  }

  @Test
  void drainsSlowSyncAndAsyncRequestsLosingNoneAndStopsTheContainer() throws Exception {
    container.registerStopHook(lifecycle);
    // Registered after the hook, so it runs before the container stops (tasks run in reverse):
    // keeps the container up until the test has used the connections the drain left open.
    CountDownLatch followUpsDone = new CountDownLatch(1);
    lifecycle.addShutdownTask(
        "test-follow-ups", Duration.ofSeconds(5), () -> followUpsDone.await(5, TimeUnit.SECONDS));
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);
    port =
        container.start(
            "",
            (classes, context) -> {
              ProbeServlets.register(context, endpoints, lifecycle);
              app.register(context);
            });

    // Slow requests, each on its own keep-alive connection that already served one request.
    List<RawHttp> connections = new ArrayList<>();
    List<CompletableFuture<RawHttp.Response>> slow = new ArrayList<>();
    for (String[] request : SLOW) {
      RawHttp connection = RawHttp.connect(port);
      connections.add(connection);
      assertThat(connection.send("GET", "/hello").saysClose()).isFalse();
      slow.add(CompletableFuture.supplyAsync(() -> send(connection, request[0]), clients));
    }
    await().atMost(AWAIT).until(() -> tracker.current() == SLOW.length);
    RawHttp idle = RawHttp.connect(port);
    connections.add(idle);
    assertThat(idle.send("GET", "/hello").saysClose()).isFalse();

    // Readiness drops; the pod still serves, and every new response says close.
    lifecycle.preStop();
    RawHttp.Response ready = idle.send("GET", "/readyz");
    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.saysClose()).isTrue();
    try (RawHttp late = RawHttp.connect(port)) {
      RawHttp.Response hello = late.send("GET", "/hello");
      assertThat(hello.status()).isEqualTo(200);
      assertThat(hello.saysClose()).isTrue();
    }

    // The late request's exit is counted just after its client reads the response; wait for it,
    // or it would be counted among the drained ones.
    await().atMost(AWAIT).until(() -> tracker.current() == SLOW.length);
    CompletableFuture<ShutdownSummary> shutdown =
        CompletableFuture.supplyAsync(lifecycle::shutdown);
    await()
        .atMost(AWAIT)
        .until(() -> lifecycle.lastCompletedPhase().equals(Optional.of(DrainPhase.STOP_ACCEPTING)));
    assertThatThrownBy(() -> RawHttp.connect(port).close()).isInstanceOf(ConnectException.class);

    // Held past the connectors' shutdown idle timeout (1 s on Jetty): none cut short.
    await()
        .during(Duration.ofMillis(1_500))
        .atMost(AWAIT)
        .until(
            () ->
                slow.stream().noneMatch(CompletableFuture::isDone)
                    && tracker.current() == SLOW.length
                    && lifecycle.lastCompletedPhase().equals(Optional.of(DrainPhase.STOP_ACCEPTING)));

    app.gate.countDown();
    int followUps = 0;
    for (int i = 0; i < slow.size(); i++) {
      RawHttp.Response response = slow.get(i).get(10, TimeUnit.SECONDS);
      String path = SLOW[i][0];
      assertThat(response.status()).as(path).isEqualTo(200);
      assertThat(response.body()).as(path).isEqualTo(SLOW[i][1]);
      if (path.equals("/slow-buffered") || closesEveryResponseAfterStopAccepting()) {
        // Uncommitted when the servlet returned during the drain: the filter added it.
        assertThat(response.saysClose()).as("%s on connection %d says close", path, i).isTrue();
      } else if (!response.saysClose()) {
        // Committed by the application (full Content-Length written, or from an async thread)
        // while the container had decided keep-alive when the request arrived: the
        // connection's next request is told instead, and nothing is lost.
        RawHttp.Response next = connections.get(i).send("GET", "/hello");
        followUps++;
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.saysClose()).as("follow-up on connection %d says close", i).isTrue();
      }
      assertThat(connections.get(i).closedByServer(5_000)).as("connection %d closed", i).isTrue();
    }
    followUpsDone.countDown();

    ShutdownSummary summary = shutdown.get(15, TimeUnit.SECONDS);
    // Follow-ups sent while a slow request was still in flight finished within the drain too.
    assertThat(summary.requestsDrained()).isBetween((long) SLOW.length, (long) SLOW.length + followUps);
    assertThat(summary.requestsAbandoned()).isZero();
    assertThat(summary.failedTasks()).isEmpty();
    assertThat(container.isStopped()).isTrue();
    assertThat(idle.closedByServer(5_000)).isTrue();
    for (RawHttp connection : connections) {
      connection.close();
    }
  }

  @Test
  void stopsTheContainerWhenNothingIsInFlight() throws Exception {
    container.registerStopHook(lifecycle);
    port = container.start("", (classes, context) -> app.register(context));
    try (RawHttp connection = RawHttp.connect(port)) {
      assertThat(connection.send("GET", "/hello").status()).isEqualTo(200);
    }

    ShutdownSummary summary = lifecycle.shutdown();

    assertThat(summary.requestsDrained()).isZero();
    assertThat(summary.failedTasks()).isEmpty();
    assertThat(summary.phaseDurations().get(DrainPhase.SHUTDOWN_TASKS))
        .isLessThan(Duration.ofSeconds(3));
    assertThat(container.isStopped()).isTrue();
    assertThatThrownBy(() -> RawHttp.connect(port).close()).isInstanceOf(ConnectException.class);
  }

  private static RawHttp.Response send(RawHttp connection, String path) {
    try {
      return connection.send("GET", path);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
