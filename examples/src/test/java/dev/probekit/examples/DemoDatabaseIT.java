package dev.probekit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.testsupport.BackgroundLoops;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo on its database, in a child JVM: an outage of the embedded H2 server under client
 * load (readiness 503 in time, liveness 200 at every probe, fast 503s to clients, recovery by
 * itself), an external database it may not stop, and passwords that never show.
 */
class DemoDatabaseIT {
  private static final String ENV_PASSWORD = "Env-Pw-4d1b9e27c0";
  private static final String URL_PASSWORD = "Url-Pw-93a7f20b5e";

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private final BackgroundLoops kubelet = new BackgroundLoops();
  private DemoProcess demo;
  private QueryLoad load;
  private Server external;

  @AfterEach
  void tearDown() throws InterruptedException {
    kubelet.stop();
    if (load != null) {
      load.close();
    }
    if (demo != null) {
      demo.close();
    }
    if (external != null) {
      external.stop();
    }
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(int port, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .POST(HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private List<String> watchLiveness(int probePort) {
    List<String> failures = new CopyOnWriteArrayList<>();
    AtomicLong probes = new AtomicLong();
    kubelet.start(
        "kubelet-liveness",
        Duration.ofMillis(100), // the probe period
        () -> {
          try {
            int status = get(probePort, "/livez").statusCode();
            if (status != 200) {
              failures.add("livez " + status);
            }
          } catch (Exception e) {
            failures.add("livez " + e);
          }
          probes.incrementAndGet();
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> probes.get() > 0);
    return failures;
  }

  @Test
  @Timeout(120)
  void embeddedOutageDropsReadinessKeepsLivenessAnswersFast503sAndRecoversByItself() throws Exception {
    demo = DemoProcess.start().awaitStarted();
    int app = demo.appPort();
    int probe = demo.probePort();
    await().atMost(Duration.ofSeconds(15)).until(() -> get(probe, "/readyz").statusCode() == 200);
    List<String> livenessFailures = watchLiveness(probe);
    load = QueryLoad.start(app, 1, Duration.ofMillis(20));
    await().atMost(Duration.ofSeconds(10)).until(() -> load.count(0, 200) >= 20);
    assertThat(load.answers()).allSatisfy(a -> assertThat(a.status()).as(a.body()).isEqualTo(200));

    HttpResponse<String> down = post(app, "/dependency/down");
    long downAt = System.nanoTime();
    assertThat(down.statusCode()).isEqualTo(200);
    assertThat(down.body()).isEqualTo("database stopped; watch /readyz\n");
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> get(probe, "/readyz").statusCode() == 503);
    long readiness503Millis = (System.nanoTime() - downAt) / 1_000_000;
    assertThat(get(probe, "/readyz?verbose").body()).contains("[-]database failed");
    // Hold the outage a while, as clients keep coming.
    await().atMost(Duration.ofSeconds(15)).until(() -> load.count(downAt, 503) >= 10);

    HttpResponse<String> up = post(app, "/dependency/up");
    long upAt = System.nanoTime();
    assertThat(up.statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> get(probe, "/readyz").statusCode() == 200);
    long recoveryMillis = (System.nanoTime() - upAt) / 1_000_000;
    // Every client request succeeds again, by itself: no broken connection is handed out again.
    await().atMost(Duration.ofSeconds(10)).until(() -> load.count(upAt, 200) > 0);
    long settledAt = System.nanoTime();
    await().atMost(Duration.ofSeconds(10)).until(() -> load.sentAfter(settledAt).size() >= 30);
    load.close();
    kubelet.stop();

    // Requests sent a second into the outage and answered before the database came back.
    List<QueryLoad.Answer> during = load.within(downAt + 1_000_000_000L, upAt);
    List<QueryLoad.Answer> after = load.sentAfter(settledAt);
    long max503 = during.stream().filter(a -> a.status() == 503).mapToLong(QueryLoad.Answer::millis).max().orElse(-1);
    System.out.printf(
        "EMBEDDED-OUTAGE readiness503AfterMs=%d client503s=%d max503Ms=%d recoveryMs=%d afterOk=%d/%d livenessFailures=%d%n",
        readiness503Millis,
        during.stream().filter(a -> a.status() == 503).count(),
        max503,
        recoveryMillis,
        after.stream().filter(a -> a.status() == 200).count(),
        after.size(),
        livenessFailures.size());

    // Within the check's period x failure threshold, plus one run's timeout and scheduling slack.
    long bound =
        DemoDatabase.CHECK_INTERVAL.toMillis() * DemoDatabase.CHECK_FAILURE_THRESHOLD
            + DemoDatabase.CHECK_TIMEOUT.toMillis()
            + 1_000;
    assertThat(readiness503Millis).isLessThan(bound);
    assertThat(livenessFailures).as("liveness during the outage").isEmpty();
    assertThat(during).isNotEmpty().allSatisfy(a -> {
      assertThat(a.status()).as(a.body()).isEqualTo(503);
      assertThat(a.body()).isEqualTo("database unavailable\n");
    });
    // The pool's 500 ms connection timeout, not 30 s.
    assertThat(max503).isLessThan(DemoDatabase.CONNECTION_TIMEOUT.toMillis() + 1_000);
    assertThat(after).allSatisfy(a -> assertThat(a.status()).as(a.body()).isEqualTo(200));
    assertThat(recoveryMillis).isLessThan(10_000);
  }

  @Test
  @Timeout(120)
  void externalDatabaseIsNotTheDemosToStopAndItsPasswordNeverShows() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String url = "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:external;USER=ext;PASSWORD=" + URL_PASSWORD;
    // The demo starts first and waits for the database.
    demo =
        DemoProcess.start(
                Map.of("PROBEKIT_DEMO_DATABASE_URL", url),
                "-Dprobekit.demo.details=always")
            .awaitProbePort();
    int probe = demo.probePort();
    List<String> bodies = new ArrayList<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> demo.count("waiting for 1 dependency") == 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              HttpResponse<String> startupz = get(probe, "/startupz?verbose");
              assertThat(startupz.statusCode()).isEqualTo(503);
              assertThat(startupz.body()).contains("[-]wait-database failed: waiting for jdbc:h2:tcp://127.0.0.1:" + port);
              assertThat(startupz.body()).contains("last error: ").doesNotContain("last error: none");
              bodies.add(startupz.body());
            });
    assertThat(get(probe, "/livez").statusCode()).isEqualTo(200);
    bodies.addAll(probeBodies(probe));

    external = Server.createTcpServer("-tcpPort", String.valueOf(port), "-ifNotExists").start();
    demo.awaitStarted();
    int app = demo.appPort();
    await().atMost(Duration.ofSeconds(15)).until(() -> get(probe, "/readyz").statusCode() == 200);
    assertThat(get(app, "/").body()).isEqualTo("hello from probekit-demo; H2 answered\n");

    HttpResponse<String> refused = post(app, "/dependency/down");
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.body())
        .isEqualTo("the database is external (PROBEKIT_DEMO_DATABASE_URL): stop and start it yourself\n");
    assertThat(post(app, "/dependency/up").statusCode()).isEqualTo(409);

    // An outage of the external database: the failure is logged and shown with details.
    external.stop();
    await().atMost(Duration.ofSeconds(15)).until(() -> get(probe, "/readyz").statusCode() == 503);
    bodies.addAll(probeBodies(probe));
    HttpResponse<String> unavailable = get(app, "/");
    assertThat(unavailable.statusCode()).isEqualTo(503);
    bodies.add(unavailable.body());
    external = Server.createTcpServer("-tcpPort", String.valueOf(port), "-ifNotExists").start();
    await().atMost(Duration.ofSeconds(15)).until(() -> get(probe, "/readyz").statusCode() == 200);

    demo.process.destroy();
    assertThat(demo.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(demo.process.exitValue()).isZero();
    String output = demo.output();
    assertThat(output).contains("check 'database' [READINESS] UP -> DOWN");
    assertNoSecret(output, bodies, URL_PASSWORD);
  }

  @Test
  @Timeout(120)
  void embeddedDatabasePasswordFromTheEnvironmentNeverShows() throws Exception {
    demo =
        DemoProcess.start(
                Map.of("PROBEKIT_DEMO_DATABASE_PASSWORD", ENV_PASSWORD),
                "-Dprobekit.demo.details=always",
                "-Dprobekit.demo.dependency-delay=2s")
            .awaitProbePort();
    int probe = demo.probePort();
    List<String> bodies = new ArrayList<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> demo.count("waiting for 1 dependency") == 1);
    bodies.addAll(probeBodies(probe));
    demo.awaitStarted();
    int app = demo.appPort();
    await().atMost(Duration.ofSeconds(15)).until(() -> get(probe, "/readyz").statusCode() == 200);
    assertThat(post(app, "/dependency/down").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(15)).until(() -> get(probe, "/readyz").statusCode() == 503);
    bodies.addAll(probeBodies(probe));
    bodies.add(get(app, "/").body());
    assertThat(post(app, "/dependency/up").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(15)).until(() -> get(probe, "/readyz").statusCode() == 200);

    demo.process.destroy();
    assertThat(demo.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(demo.process.exitValue()).isZero();
    assertNoSecret(demo.output(), bodies, ENV_PASSWORD);
  }

  private List<String> probeBodies(int probe) throws Exception {
    List<String> bodies = new ArrayList<>();
    for (String path :
        List.of("/readyz?verbose", "/startupz?verbose", "/livez?verbose", "/healthz?verbose", "/healthz?format=json", "/readyz/database", "/startupz/wait-database")) {
      bodies.add(path + " -> " + get(probe, path).body());
    }
    return bodies;
  }

  private static void assertNoSecret(String output, List<String> bodies, String secret) {
    assertThat(output).as("demo output").doesNotContain(secret);
    assertThat(bodies).isNotEmpty().allSatisfy(b -> assertThat(b).as("probe body").doesNotContain(secret));
  }
}
