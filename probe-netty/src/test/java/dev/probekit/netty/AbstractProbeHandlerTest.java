package dev.probekit.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.DetailsPolicy;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The probe handler on a real Netty server, with real clients. Subclasses choose where (or
 * whether) an HttpObjectAggregator sits in the pipeline; every test runs for each choice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LeakCheck.class)
abstract class AbstractProbeHandlerTest {
  private final Set<String> probeThreads = ConcurrentHashMap.newKeySet();
  private HealthRegistry health;
  private TestServer server;
  private HttpClient client;

  abstract TestServer.Aggregation aggregation();

  @BeforeAll
  void startServer() {
    health = HealthRegistry.builder().build();
    health.register("ping", CheckResult::up, CheckOptions.of(Probe.READINESS, Probe.LIVENESS));
    ProbeEndpoints endpoints =
        ProbeEndpoints.builder(health)
            .detailsPolicy(
                DetailsPolicy.when(
                    request -> {
                      // Called while answering ?verbose: records which thread answers probes.
                      probeThreads.add(Thread.currentThread().getName());
                      return false;
                    }))
            .build();
    server = TestServer.start(endpoints, aggregation());
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    await().atMost(Duration.ofSeconds(5)).until(() -> health.snapshot(Probe.READINESS).isUp());
  }

  @AfterAll
  void stopServer() {
    server.close();
    health.close();
  }

  @AfterEach
  void clearOverrides() {
    health.readiness().clear();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesReadinessWithTheProbeHeaders() throws Exception {
    int appRequests = server.appRequests.get();

    HttpResponse<String> response = get("/readyz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(response.headers().firstValue("Content-Length")).hasValue("2");
    assertThat(server.appRequests.get()).isEqualTo(appRequests);
  }

  @Test
  void answers503WhenTheProbeIsDown() throws Exception {
    health.readiness().down("maintenance");

    HttpResponse<String> response = get("/readyz");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("readiness check failed");
    assertThat(get("/livez").statusCode()).isEqualTo(200);
  }

  @Test
  void answersVerboseAndSingleCheckViewsOnTheEventLoop() throws Exception {
    HttpResponse<String> verbose = get("/readyz?verbose");
    HttpResponse<String> single = get("/livez/ping");
    HttpResponse<String> unknown = get("/livez/nope");

    assertThat(verbose.statusCode()).isEqualTo(200);
    assertThat(verbose.body()).contains("[+]ping ok").contains("readiness check passed");
    assertThat(single.statusCode()).isEqualTo(200);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(probeThreads).isNotEmpty().allSatisfy(t -> assertThat(t).startsWith("test-worker"));
  }

  @Test
  void headGetsTheStatusAndLengthButNoBody() throws Exception {
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send(RawHttp.request("HEAD", "/readyz", ""));
      RawHttp.Response head = raw.read(true);
      raw.send(RawHttp.get("/livez"));
      RawHttp.Response next = raw.read();

      assertThat(head.status).isEqualTo(200);
      assertThat(head.header("Content-Length")).isEqualTo("2");
      assertThat(head.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
      // Had the HEAD answer carried a body, it would now be parsed as this status line.
      assertThat(next.status).isEqualTo(200);
      assertThat(next.body).isEqualTo("ok");
    }
  }

  @Test
  void rejectsOtherMethodsWith405() throws Exception {
    int appRequests = server.appRequests.get();

    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(server.uri("/livez"))
                .DELETE()
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(server.appRequests.get()).isEqualTo(appRequests);
  }

  @Test
  void passesOtherRequestsAndTheirBodiesThroughUntouched() throws Exception {
    byte[] body = new byte[200_000];
    HttpResponse<String> fixed =
        client.send(
            HttpRequest.newBuilder(server.uri("/upload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> chunked =
        client.send(
            HttpRequest.newBuilder(server.uri("/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(fixed.statusCode()).isEqualTo(200);
    assertThat(fixed.body()).isEqualTo("POST /upload 200000");
    assertThat(chunked.body()).isEqualTo("POST /upload 200000");
  }

  @Test
  void leavesLookAlikePathsToTheApplication() throws Exception {
    for (String path : List.of("/readyzz", "/livez/", "/health", "/", "/x/livez")) {
      HttpResponse<String> response = get(path);

      assertThat(response.body()).as(path).isEqualTo("GET " + path + " 0");
    }
  }

  @Test
  void discardsTheBodyOfAProbeRequestAndKeepsTheConnection() throws Exception {
    String body = "x".repeat(5000);
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send(
          RawHttp.request("POST", "/readyz", "Content-Length: " + body.length() + "\r\n")
              + body
              + RawHttp.get("/app"));

      RawHttp.Response probe = raw.read();
      RawHttp.Response app = raw.read();

      assertThat(probe.status).isEqualTo(405);
      assertThat(app.body).isEqualTo("GET /app 0");
    }
  }

  @Test
  void keepsTheConnectionAliveAcrossRequests() throws Exception {
    try (RawHttp raw = new RawHttp(server.port())) {
      for (String path : List.of("/livez", "/app", "/readyz?verbose", "/app", "/readyz")) {
        RawHttp.Response response = raw.send(RawHttp.get(path)).read();

        assertThat(response.status).as(path).isEqualTo(200);
        assertThat(response.header("Connection")).as(path).isNull();
      }
      raw.shortTimeout(200);
      assertThat(raw.closedByServer()).isFalse();
    }
  }

  @Test
  void answersPipelinedRequestsInOrder() throws Exception {
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send(
          RawHttp.get("/slow?delay=300")
              + RawHttp.get("/readyz")
              + RawHttp.get("/fast")
              + RawHttp.request("HEAD", "/livez", "")
              + RawHttp.get("/livez?verbose"));

      assertThat(raw.read().body).isEqualTo("GET /slow 0");
      assertThat(raw.read().body).isEqualTo("ok");
      assertThat(raw.read().body).isEqualTo("GET /fast 0");
      RawHttp.Response head = raw.read(true);
      assertThat(head.status).isEqualTo(200);
      assertThat(head.header("Content-Length")).isEqualTo("2");
      assertThat(raw.read().body).contains("liveness check passed");
    }
  }

  @Test
  void answersProbesWhileEveryApplicationThreadIsBlocked() throws Exception {
    // The app group has two threads; each connection's work goes to one of them, round-robin.
    RawHttp first = new RawHttp(server.port()).send(RawHttp.get("/work?block"));
    RawHttp second = new RawHttp(server.port()).send(RawHttp.get("/work?block"));
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> server.blocked.get() >= 2);

      long start = System.nanoTime();
      HttpResponse<String> response = get("/readyz");
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(took).isLessThan(Duration.ofSeconds(1));
    } finally {
      server.openGate();
      assertThat(first.read().body).isEqualTo("GET /work 0");
      assertThat(second.read().body).isEqualTo("GET /work 0");
      first.close();
      second.close();
    }
  }

  @Test
  void closesWhenTheClientAsks() throws Exception {
    try (RawHttp raw = new RawHttp(server.port())) {
      RawHttp.Response response = raw.send(RawHttp.request("GET", "/readyz", "Connection: close\r\n")).read();

      assertThat(response.status).isEqualTo(200);
      assertThat(response.header("Connection")).isEqualTo("close");
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  @Test
  void closesHttp10ConnectionsUnlessAskedToKeepThemAlive() throws Exception {
    try (RawHttp raw = new RawHttp(server.port())) {
      RawHttp.Response response = raw.send("GET /livez HTTP/1.0\r\n\r\n").read();

      assertThat(response.version).isEqualTo("HTTP/1.0");
      assertThat(response.body).isEqualTo("ok");
      assertThat(raw.closedByServer()).isTrue();
    }
    try (RawHttp raw = new RawHttp(server.port())) {
      RawHttp.Response first = raw.send("GET /livez HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
      RawHttp.Response second = raw.send("GET /readyz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();

      assertThat(first.header("Connection")).isEqualToIgnoringCase("keep-alive");
      assertThat(second.body).isEqualTo("ok");
    }
  }

  @Test
  void closesAfterAnsweringAProbeWhoseClientAwaits100Continue() throws Exception {
    // An aggregator ahead of the probe handler answers Expect itself and waits for the body.
    assumeTrue(aggregation() != TestServer.Aggregation.BEFORE_PROBES);
    try (RawHttp raw = new RawHttp(server.port())) {
      RawHttp.Response response =
          raw.send(
                  RawHttp.request(
                      "PUT", "/readyz", "Content-Length: 10\r\nExpect: 100-continue\r\n"))
              .read();

      assertThat(response.status).isEqualTo(405);
      assertThat(response.header("Connection")).isEqualTo("close");
      assertThat(raw.closedByServer()).isTrue();
    }
  }
}
