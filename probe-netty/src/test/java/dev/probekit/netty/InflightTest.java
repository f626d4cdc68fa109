package dev.probekit.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.InflightTracker;
import dev.probekit.core.lifecycle.Lifecycle;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** In-flight counting on a real server whose application answers slowly, on its own executors. */
@ExtendWith(LeakCheck.class)
class InflightTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final HealthRegistry health = HealthRegistry.builder().build();
  private final Lifecycle lifecycle = Lifecycle.builder(health).build();
  private final InflightTracker inflight = lifecycle.inflight();
  private TestServer server;

  private TestServer start(TestServer.Aggregation aggregation) {
    server =
        TestServer.start(ProbeEndpoints.of(health), aggregation, lifecycle, 2, 4);
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    health.close();
  }

  @Test
  void countsApplicationRequestsUntilTheirResponsesAreWritten() throws Exception {
    start(TestServer.Aggregation.NONE);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      responses.add(
          client.sendAsync(
              HttpRequest.newBuilder(server.uri("/work?gate")).timeout(WAIT).build(),
              HttpResponse.BodyHandlers.ofString()));
    }

    await().atMost(WAIT).until(() -> inflight.current() == 5);
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> probe =
          client.send(
              HttpRequest.newBuilder(server.uri("/livez")).timeout(WAIT).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(probe.statusCode()).isEqualTo(200);
    }
    assertThat(inflight.current()).isEqualTo(5);
    assertThat(inflight.started()).isEqualTo(5);

    server.openGate();

    for (CompletableFuture<HttpResponse<String>> response : responses) {
      assertThat(response.get().body()).isEqualTo("GET /work 0");
    }
    await().atMost(WAIT).until(() -> inflight.current() == 0);
    assertThat(inflight.started()).isEqualTo(5);
    assertThat(inflight.finished()).isEqualTo(5);
  }

  @ParameterizedTest
  @EnumSource(TestServer.Aggregation.class)
  void countsEachPipelinedRequestOnce(TestServer.Aggregation aggregation) throws Exception {
    start(aggregation);
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send(
          RawHttp.get("/a?gate")
              + RawHttp.get("/readyz")
              + RawHttp.get("/b?gate")
              + RawHttp.request("POST", "/c?gate", "Content-Length: 3\r\n")
              + "abc"
              + RawHttp.get("/livez"));

      await().atMost(WAIT).until(() -> inflight.current() == 3);
      server.openGate();

      assertThat(raw.read().body).isEqualTo("GET /a 0");
      assertThat(raw.read().body).isEqualTo("ok");
      assertThat(raw.read().body).isEqualTo("GET /b 0");
      assertThat(raw.read().body).isEqualTo("POST /c 3");
      assertThat(raw.read().body).isEqualTo("ok");
    }
    await().atMost(WAIT).until(() -> inflight.current() == 0);
    assertThat(inflight.started()).isEqualTo(3);
    assertThat(inflight.finished()).isEqualTo(3);
  }

  @Test
  void anInterimResponseDoesNotEndTheRequest() throws Exception {
    start(TestServer.Aggregation.NONE);
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send(RawHttp.get("/upload?continue&gate"));

      assertThat(raw.read().status).isEqualTo(100);
      assertThat(inflight.current()).isEqualTo(1);

      server.openGate();
      assertThat(raw.read().body).isEqualTo("GET /upload 0");
    }
    await().atMost(WAIT).until(() -> inflight.current() == 0);
    assertThat(inflight.finished()).isEqualTo(1);
  }

  @Test
  void endsTheRequestExactlyOnceWhenTheClientLeavesBeforeTheResponse() throws Exception {
    start(TestServer.Aggregation.NONE);
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send(RawHttp.get("/a?gate") + RawHttp.get("/b?gate"));
      await().atMost(WAIT).until(() -> inflight.current() == 2);
    }

    // The connection is gone: both requests end now, not when the application answers.
    await().atMost(WAIT).until(() -> inflight.current() == 0);
    assertThat(inflight.finished()).isEqualTo(2);

    // The application's late writes fail; they must not end the requests a second time.
    server.openGate();
    await().atMost(WAIT).until(() -> server.responsesDone.get() == 2);
    assertThat(inflight.finished()).isEqualTo(2);
    assertThat(inflight.started()).isEqualTo(2);
  }

  @Test
  void countsRequestsForAnApplicationHandlerRunningOnAnExecutorGroup() throws Exception {
    server = TestServer.startWithAppOnExecutorGroup(ProbeEndpoints.of(health), lifecycle);
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send(RawHttp.get("/a?gate") + RawHttp.get("/livez") + RawHttp.get("/b?delay=50"));
      await().atMost(WAIT).until(() -> inflight.current() == 2);

      server.openGate();

      assertThat(raw.read().body).isEqualTo("GET /a 0");
      assertThat(raw.read().body).isEqualTo("ok");
      assertThat(raw.read().body).isEqualTo("GET /b 0");
    }
    await().atMost(WAIT).until(() -> inflight.current() == 0);
    assertThat(inflight.finished()).isEqualTo(2);
    assertThat(server.appThreads).allSatisfy(t -> assertThat(t).startsWith("test-app"));
  }

  @Test
  void probeRequestsAreNeverCounted() throws Exception {
    start(TestServer.Aggregation.BEFORE_PROBES);
    try (RawHttp raw = new RawHttp(server.port())) {
      for (String path : List.of("/livez", "/readyz?verbose", "/healthz", "/startupz")) {
        raw.send(RawHttp.get(path)).read();
      }
      raw.send(RawHttp.request("HEAD", "/livez", "")).read(true);
    }

    assertThat(inflight.started()).isZero();
  }
}
