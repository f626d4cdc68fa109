package dev.probekit.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.Status;
import dev.probekit.core.lifecycle.InflightTracker;
import dev.probekit.core.lifecycle.Lifecycle;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The probe servlet and the in-flight filter on a real container, through real HTTP: everything
 * the servlet adapter adds on top of the core contract. Subclassed once per container.
 */
abstract class ServletAdapterTests {
  private static final Duration AWAIT = Duration.ofSeconds(10);

  HealthRegistry health;
  Lifecycle lifecycle;
  InflightTracker tracker;
  TestApp app;
  TestContainer container;
  HttpClient client;
  int port;
  String base;

  /** A new, unstarted container. */
  abstract TestContainer newContainer() throws Exception;

  @BeforeEach
  void setUp() throws Exception {
    health = HealthRegistry.builder().build();
    lifecycle =
        Lifecycle.builder(health)
            .preStopDelay(Duration.ZERO)
            .drainTimeout(Duration.ofSeconds(10))
            .gracePeriod(Duration.ofSeconds(20))
            .exitOnSignal(false)
            .build();
    tracker = lifecycle.inflight();
    app = new TestApp();
    container = newContainer();
    client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    app.close();
    container.close();
    health.close();
  }

  void start(String contextPath, ProbeEndpoints endpoints) throws Exception {
    port =
        container.start(
            contextPath,
            (classes, context) -> {
              ProbeServlets.register(context, endpoints, lifecycle);
              app.register(context);
            });
    base = "http://127.0.0.1:" + port + contextPath;
  }

  HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(15))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send("GET", path);
  }

  CompletableFuture<HttpResponse<String>> getAsync(String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(15)).build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  void registerUpCheck(String name) {
    health.register(name, CheckResult::up, CheckOptions.of(Probe.READINESS, Probe.LIVENESS));
    await()
        .atMost(AWAIT)
        .until(() -> health.check(name).map(s -> s.status() == Status.UP).orElse(false));
  }

  static void assertProbeHeaders(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v.replace(" ", "")).isEqualToIgnoringCase("text/plain;charset=utf-8"));
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
  }

  // ---------------------------------------------------------------- the probe servlet

  @Test
  void servesEveryProbeAtTheRootPaths() throws Exception {
    start("", ProbeEndpoints.of(health));
    for (String path : new String[] {"/livez", "/readyz", "/startupz", "/healthz"}) {
      HttpResponse<String> response = get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(200);
      assertThat(response.body()).as(path).isEqualTo("ok");
      assertProbeHeaders(response);
    }
  }

  @Test
  void servesUnderAPrefixInsideAContextPath() throws Exception {
    registerUpCheck("db");
    start("/app", ProbeEndpoints.builder(health).prefix("/health").build());

    HttpResponse<String> live = get("/health/livez");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.body()).isEqualTo("ok");
    assertThat(get("/health/readyz/db").statusCode()).isEqualTo(200);

    // Under the prefix but not a probe: our own 404, not a container page.
    HttpResponse<String> unknown = get("/health/nope");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("not found");
    assertProbeHeaders(unknown);
    // The application still owns everything else in the context.
    assertThat(get("/hello").body()).isEqualTo("hello");
  }

  @Test
  void findsTheContractPathWhenTheContextPathArrivesPercentEncoded() throws Exception {
    start("/app", ProbeEndpoints.of(health));
    try (RawHttp connection = RawHttp.connect(port)) {
      // %61 is 'a': the container maps /%61pp to the context /app; the probe path after it is
      // still found in the raw URI, and the request is not counted as the application's.
      RawHttp.Response live = connection.send("GET", "/%61pp/livez");
      assertThat(live.status()).isEqualTo(200);
      assertThat(live.body()).isEqualTo("ok");
      RawHttp.Response hello = connection.send("GET", "/%61pp/hello");
      assertThat(hello.body()).isEqualTo("hello");
    }
    assertThat(tracker.started()).isEqualTo(1);
  }

  @Test
  void answersDownWith503AndKeepsItsOwnBody() throws Exception {
    start("", ProbeEndpoints.of(health));
    health.readiness().down("maintenance");

    HttpResponse<String> response = get("/readyz");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("readiness check failed");
    assertProbeHeaders(response);
    assertThat(get("/livez").statusCode()).isEqualTo(200);
  }

  @Test
  void answersAnUnknownCheckWith404AndItsOwnBody() throws Exception {
    start("", ProbeEndpoints.of(health));

    HttpResponse<String> response = get("/readyz/nope");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).isEqualTo("check not found");
    assertProbeHeaders(response);
  }

  @Test
  void answersOtherMethodsWith405AndAllowNotTheServletDefaults() throws Exception {
    start("", ProbeEndpoints.of(health));
    for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
      HttpResponse<String> response = send(method, "/livez");
      assertThat(response.statusCode()).as(method).isEqualTo(405);
      assertThat(response.headers().firstValue("Allow")).as(method).hasValue("GET, HEAD");
      assertThat(response.body()).as(method).isEqualTo("method not allowed\n");
      assertProbeHeaders(response);
    }
  }

  @Test
  void answersHeadWithTheStatusAndHeadersOfGetButNoBody() throws Exception {
    start("", ProbeEndpoints.of(health));
    health.readiness().down("maintenance");

    HttpResponse<String> live = send("HEAD", "/livez");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.headers().firstValue("Content-Length")).hasValue("2");
    assertThat(live.body()).isEmpty();
    assertProbeHeaders(live);

    HttpResponse<String> ready = send("HEAD", "/readyz");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.headers().firstValue("Content-Length"))
        .hasValue(String.valueOf("readiness check failed".length()));
    assertThat(ready.body()).isEmpty();

    HttpResponse<String> unknown = send("HEAD", "/readyz/nope");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEmpty();
    assertProbeHeaders(unknown);
  }

  @Test
  void passesTheRawPathAndQueryToTheContract() throws Exception {
    registerUpCheck("db");
    start("", ProbeEndpoints.of(health));

    // %62 is 'b': the check name is decoded by the contract from the raw path.
    assertThat(get("/readyz/d%62").statusCode()).isEqualTo(200);
    HttpResponse<String> verbose = get("/readyz?verbose&exclude=d%62");
    assertThat(verbose.statusCode()).isEqualTo(200);
    assertThat(verbose.body()).contains("[+]db excluded: ok").endsWith("readiness check passed\n");
    try (RawHttp connection = RawHttp.connect(port)) {
      // A malformed escape in the query reaches the contract untouched: its own 400.
      RawHttp.Response bad = connection.send("GET", "/readyz?exclude=%zz");
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.body()).isEqualTo("malformed percent-encoding in query");
    }
    try (RawHttp connection = RawHttp.connect(port)) {
      // A malformed escape in the path never reaches a servlet: the container rejects the URI
      // with its own 400 page. The status is still the contract's, and no stack trace shows.
      RawHttp.Response bad = connection.send("GET", "/readyz/%zz");
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }
  }

  @Test
  void probeResponsesSayCloseWhileDraining() throws Exception {
    start("", ProbeEndpoints.of(health));
    try (RawHttp connection = RawHttp.connect(port)) {
      RawHttp.Response before = connection.send("GET", "/livez");
      assertThat(before.status()).isEqualTo(200);
      assertThat(before.saysClose()).isFalse();

      lifecycle.preStop();

      RawHttp.Response during = connection.send("GET", "/readyz");
      assertThat(during.status()).isEqualTo(503);
      assertThat(during.body()).isEqualTo("readiness check failed");
      assertThat(during.saysClose()).isTrue();
      assertThat(connection.closedByServer(5_000)).isTrue();
    }
  }

  // ---------------------------------------------------------------- the in-flight filter

  @Test
  void countsEachApplicationRequestOnceAndProbeRequestsNever() throws Exception {
    start("", ProbeEndpoints.of(health));
    for (int i = 0; i < 3; i++) {
      assertThat(get("/hello").body()).isEqualTo("hello");
    }
    for (int i = 0; i < 4; i++) {
      assertThat(get("/livez").statusCode()).isEqualTo(200);
      assertThat(get("/readyz/nope").statusCode()).isEqualTo(404);
    }
    assertThat(tracker.started()).isEqualTo(3);
    // The client may read a response before the servlet's thread is back in the filter.
    await().atMost(AWAIT).until(() -> tracker.finished() == 3);
    assertThat(tracker.current()).isZero();
  }

  @Test
  void excludesProbesUnderAPrefixInsideAContextPath() throws Exception {
    start("/app", ProbeEndpoints.builder(health).prefix("/health").build());
    assertThat(get("/health/livez").statusCode()).isEqualTo(200);
    assertThat(get("/hello").statusCode()).isEqualTo(200);
    assertThat(tracker.started()).isEqualTo(1);
    await().atMost(AWAIT).until(() -> tracker.finished() == 1);
  }

  @Test
  void holdsASlowRequestInFlightUntilItsServletReturns() throws Exception {
    start("", ProbeEndpoints.of(health));
    CompletableFuture<HttpResponse<String>> slow = getAsync("/slow");
    await().atMost(AWAIT).until(() -> tracker.current() == 1);
    // Held for a while: still one in flight, and probes are not counted meanwhile.
    assertThat(get("/livez").statusCode()).isEqualTo(200);
    await().during(Duration.ofMillis(200)).atMost(AWAIT).until(() -> tracker.current() == 1);

    app.gate.countDown();
    assertThat(slow.get().body()).isEqualTo("slow done");
    await().atMost(AWAIT).until(() -> tracker.current() == 0);
    assertThat(tracker.started()).isEqualTo(1);
    assertThat(tracker.finished()).isEqualTo(1);
  }

  @Test
  void holdsAnAsyncRequestInFlightUntilItCompletes() throws Exception {
    start("", ProbeEndpoints.of(health));
    CompletableFuture<HttpResponse<String>> async = getAsync("/async");
    await().atMost(AWAIT).until(() -> tracker.current() == 1);
    // The servlet returned long ago (it only started async work); the request is still open.
    await().during(Duration.ofMillis(300)).atMost(AWAIT).until(() -> tracker.current() == 1);
    assertThat(async).isNotDone();

    app.gate.countDown();
    assertThat(async.get().statusCode()).isEqualTo(200);
    assertThat(async.get().body()).isEqualTo("async done");
    await().atMost(AWAIT).until(() -> tracker.current() == 0);
    assertThat(tracker.finished()).isEqualTo(1);
  }

  @Test
  void countsAnAsyncRequestThatStartsAsyncTwiceOnce() throws Exception {
    start("", ProbeEndpoints.of(health));
    HttpResponse<String> response = get("/async-twice");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("twice done");
    await().atMost(AWAIT).until(() -> tracker.finished() == 1);
    assertThat(tracker.started()).isEqualTo(1);
    assertThat(tracker.current()).isZero();
  }

  @Test
  void exitsExactlyOnceWhenAnAsyncRequestTimesOut() throws Exception {
    start("", ProbeEndpoints.of(health));
    HttpResponse<String> response = get("/async-timeout");
    // The container answers the timeout itself (an error status); the count must come back.
    assertThat(response.statusCode()).isGreaterThanOrEqualTo(500);
    await().atMost(AWAIT).until(() -> tracker.finished() == 1);
    // Timeout, error and complete events may all follow: none may count a second exit.
    await()
        .during(Duration.ofMillis(300))
        .atMost(AWAIT)
        .until(() -> tracker.finished() == 1 && tracker.current() == 0);
    assertThat(tracker.started()).isEqualTo(1);
  }

  @Test
  void exitsExactlyOnceWhenAnAsyncDispatchThrows() throws Exception {
    start("", ProbeEndpoints.of(health));
    HttpResponse<String> response = get("/async-boom");
    assertThat(response.statusCode()).isEqualTo(500);
    await().atMost(AWAIT).until(() -> tracker.finished() == 1);
    await()
        .during(Duration.ofMillis(300))
        .atMost(AWAIT)
        .until(() -> tracker.finished() == 1 && tracker.current() == 0);
    assertThat(tracker.started()).isEqualTo(1);
  }

  @Test
  void keepsCountingAfterAnApplicationServletThrows() throws Exception {
    start("", ProbeEndpoints.of(health));
    assertThat(get("/boom").statusCode()).isEqualTo(500);
    assertThat(get("/checked-boom").statusCode()).isEqualTo(500);
    assertThat(get("/hello").body()).isEqualTo("hello");
    await().atMost(AWAIT).until(() -> tracker.finished() == 3);
    assertThat(tracker.started()).isEqualTo(3);
    assertThat(tracker.current()).isZero();
  }

  @Test
  void tellsKeepAliveClientsToCloseOnlyWhileDraining() throws Exception {
    start("", ProbeEndpoints.of(health));
    try (RawHttp connection = RawHttp.connect(port)) {
      RawHttp.Response first = connection.send("GET", "/hello");
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.saysClose()).isFalse();
      RawHttp.Response second = connection.send("GET", "/hello");
      assertThat(second.body()).isEqualTo("hello");
      assertThat(second.saysClose()).isFalse();

      lifecycle.preStop();

      RawHttp.Response draining = connection.send("GET", "/hello");
      assertThat(draining.status()).isEqualTo(200);
      assertThat(draining.body()).isEqualTo("hello");
      assertThat(draining.saysClose()).isTrue();
      assertThat(connection.closedByServer(5_000)).isTrue();
    }
    assertThat(tracker.started()).isEqualTo(3);
    await().atMost(AWAIT).until(() -> tracker.finished() == 3);
  }
}
