package dev.probekit.it.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.examples.DemoProcess;
import dev.probekit.examples.QueryLoad;
import dev.probekit.it.KubeletProbe;
import dev.probekit.testsupport.BackgroundLoops;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo jar against a real PostgreSQL server ({@link PostgresServer}: Debian's package, a
 * private cluster on a free port), each scenario bounded in time:
 *
 * <ul>
 *   <li>start order: the demo first, PostgreSQL 5 s later; a deadline that expires;
 *   <li>outage: PostgreSQL stopped for 10 s under client load;
 * </ul>
 *
 * <p>The rolling update on PostgreSQL is {@code RollingUpdateIT#rollingUpdateOnPostgresLosesNoRequest}.
 * Without PostgreSQL installed these tests fail, saying how to install it ({@code bash
 * .ci/install-postgresql}); they never skip silently.
 */
class PostgresScenariosIT {
  /** A test value; must never appear in the demo's output or probe bodies. */
  static final String PASSWORD = "pg-" + Long.toHexString(Double.doubleToLongBits(Math.random()));

  /** DemoDatabase.MAX_POOL_SIZE in examples: the most sessions the demo may hold. */
  private static final int MAX_POOL_SIZE = 8;

  /** The kubelet's default livenessProbe failureThreshold. */
  private static final int LIVENESS_FAILURE_THRESHOLD = 3;

  private static PostgresServer pg;

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private final BackgroundLoops kubelet = new BackgroundLoops();
  private DemoProcess demo;
  private QueryLoad load;

  @BeforeAll
  static void createCluster() throws Exception {
    pg = PostgresServer.create(PASSWORD);
  }

  @AfterAll
  static void removeCluster() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    kubelet.stop();
    if (load != null) {
      load.close();
    }
    if (demo != null) {
      demo.close();
    }
  }

  private static Map<String, String> databaseEnv() {
    return Map.of(
        "PROBEKIT_DEMO_DATABASE_URL", pg.jdbcUrl(),
        "PROBEKIT_DEMO_DATABASE_USER", PostgresServer.USER,
        "PROBEKIT_DEMO_DATABASE_PASSWORD", PASSWORD);
  }

  /** 503, or no answer within the kubelet's 1 s (a loaded machine): the kubelet's "failed". */
  private static boolean notUp(int status) {
    return status == 503 || status == -1;
  }

  private static int probe(int port, String path) {
    return KubeletProbe.get(port, path, 1_000).status();
  }

  @Test
  @Timeout(120)
  void demoStartedBeforePostgresWaitsWithLivenessUpThenStarts() throws Exception {
    pg.stop();
    demo = DemoProcess.start(databaseEnv(), "-Dprobekit.demo.wait-deadline=60s").awaitProbePort();
    int probePort = demo.probePort();
    List<KubeletProbe.Result> liveness = watch(probePort, "/livez");

    // 5 s without the database: not started, alive, and the process stays up.
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(7))
        .until(() -> demo.process.isAlive() && notUp(probe(probePort, "/startupz")));
    pg.start();
    long pgStartedAt = System.nanoTime();
    await().atMost(Duration.ofSeconds(20)).until(() -> probe(probePort, "/startupz") == 200);
    long startupMillis = (System.nanoTime() - pgStartedAt) / 1_000_000;
    demo.awaitStarted();
    await().atMost(Duration.ofSeconds(10)).until(() -> probe(probePort, "/readyz") == 200);
    HttpResponse<String> hello = get(demo.appPort(), "/");
    kubelet.stop();
    System.out.printf(
        "PG-START-ORDER startupz 200 %d ms after PostgreSQL started; liveness probes %d, unanswered %d%n",
        startupMillis, liveness.size(), failures(liveness));

    assertThat(hello.statusCode()).isEqualTo(200);
    assertThat(hello.body()).isEqualTo("hello from probekit-demo; PostgreSQL answered\n");
    assertNoRestart(liveness);
    assertThat(demo.process.isAlive()).isTrue();
    // The waits back off to at most 5 s between attempts.
    assertThat(startupMillis).isLessThan(10_000);
    assertThat(demo.output()).contains("database (jdbc:postgresql://127.0.0.1:" + pg.port() + "/probekit) is available after");
  }

  @Test
  @Timeout(60)
  void waitDeadlineThatExpiresExitsNonZeroWithOneLineNamingTheDatabase() throws Exception {
    pg.stop();
    // The password in the URL too: it must not show in the failure line.
    String url = pg.jdbcUrl() + "?user=" + PostgresServer.USER + "&password=" + PASSWORD;
    demo = DemoProcess.start(Map.of("PROBEKIT_DEMO_DATABASE_URL", url), "-Dprobekit.demo.wait-deadline=3s");

    assertThat(demo.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<String> failure = demo.lines().stream().filter(l -> l.startsWith("probekit-demo: gave up")).toList();
    System.out.println("PG-DEADLINE exit " + demo.process.exitValue() + ": " + failure);
    assertThat(demo.process.exitValue()).isEqualTo(1);
    assertThat(failure).hasSize(1);
    assertThat(failure.get(0))
        .startsWith("probekit-demo: gave up waiting for 1 dependency after 3s: database (jdbc:postgresql://127.0.0.1:" + pg.port() + "/probekit)")
        .contains("refused");
    assertThat(demo.output()).doesNotContain(PASSWORD).doesNotContain("\tat ");
  }

  @Test
  @Timeout(180)
  void outageUnderLoadTurnsReadinessOffKeepsLivenessAnswersFastAndRecoversWithoutLeaks() throws Exception {
    pg.start();
    demo = DemoProcess.start(databaseEnv(), "-Dprobekit.demo.details=always").awaitProbePort().awaitStarted();
    int app = demo.appPort();
    int probePort = demo.probePort();
    await().atMost(Duration.ofSeconds(15)).until(() -> probe(probePort, "/readyz") == 200);
    List<KubeletProbe.Result> liveness = watch(probePort, "/livez");
    load = QueryLoad.start(app, 3, Duration.ofMillis(10));
    await().atMost(Duration.ofSeconds(15)).until(() -> load.count(0, 200) >= 100);
    int sessionsBefore = pg.sessions();

    pg.stop();
    long stoppedAt = System.nanoTime();
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> probe(probePort, "/readyz") == 503);
    long readinessMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
    String verbose = KubeletProbe.get(probePort, "/readyz?verbose", 1_000).body();
    // The rest of the 10 s outage: readiness stays 503, liveness 200.
    long left = Math.max(1_000, 10_000 - readinessMillis);
    await()
        .during(Duration.ofMillis(left))
        .atMost(Duration.ofMillis(left + 3_000))
        .until(() -> notUp(probe(probePort, "/readyz")) && probe(probePort, "/livez") != 503);
    pg.start();
    long restartedAt = System.nanoTime();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> probe(probePort, "/readyz") == 200);
    long recoveryMillis = (System.nanoTime() - restartedAt) / 1_000_000;
    await().atMost(Duration.ofSeconds(10)).until(() -> load.count(restartedAt, 200) > 0);
    long settledAt = System.nanoTime();
    await().atMost(Duration.ofSeconds(15)).until(() -> load.sentAfter(settledAt).size() >= 100);
    load.close();
    int sessionsAfter = pg.sessions();
    kubelet.stop();

    demo.process.destroy();
    assertThat(demo.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> pg.sessions() == 0);

    List<QueryLoad.Answer> during = load.within(stoppedAt + 1_000_000_000L, restartedAt);
    List<QueryLoad.Answer> after = load.sentAfter(settledAt);
    long max503 = during.stream().mapToLong(QueryLoad.Answer::millis).max().orElse(-1);
    double avg503 = during.stream().mapToLong(QueryLoad.Answer::millis).average().orElse(-1);
    System.out.printf(
        "PG-OUTAGE readiness503AfterMs=%d client503s=%d avg503Ms=%.0f max503Ms=%d recoveryMs=%d afterOk=%d/%d"
            + " sessions before=%d after=%d afterExit=0 livenessProbes=%d unanswered=%d%n",
        readinessMillis, during.size(), avg503, max503, recoveryMillis,
        after.stream().filter(a -> a.status() == 200).count(), after.size(),
        sessionsBefore, sessionsAfter, liveness.size(), failures(liveness));

    assertThat(demo.process.exitValue()).as(demo.output()).isZero();
    // The check's period (1 s) x failure threshold (2), plus one run's 1.5 s timeout and slack.
    assertThat(readinessMillis).isLessThan(4_500);
    assertThat(verbose).contains("[-]database failed: jdbc connection failed");
    assertNoRestart(liveness);
    assertThat(during).isNotEmpty().allSatisfy(a -> {
      assertThat(a.status()).as(a.body()).isEqualTo(503);
      assertThat(a.body()).isEqualTo("database unavailable\n");
    });
    assertThat(max503).as("slowest 503 (pool connection timeout 500 ms)").isLessThan(1_500);
    assertThat(recoveryMillis).isLessThan(10_000);
    assertThat(after).allSatisfy(a -> assertThat(a.status()).as(a.body()).isEqualTo(200));
    assertThat(sessionsBefore).isBetween(1, MAX_POOL_SIZE);
    assertThat(sessionsAfter).as("sessions after recovery (no leak)").isBetween(1, MAX_POOL_SIZE);
    assertThat(demo.output()).doesNotContain(PASSWORD);
  }

  /**
   * A kubelet probing {@code path} every 200 ms with its 1 s timeout; every result it saw, in
   * order.
   */
  private List<KubeletProbe.Result> watch(int probePort, String path) {
    List<KubeletProbe.Result> results = new CopyOnWriteArrayList<>();
    AtomicLong probes = new AtomicLong();
    kubelet.start(
        "kubelet" + path,
        Duration.ofMillis(200), // the probe period
        () -> {
          results.add(KubeletProbe.get(probePort, path, 1_000));
          probes.incrementAndGet();
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> probes.get() > 0);
    return results;
  }

  /**
   * Asserts what the kubelet would conclude from {@code results}: every answer was 200 (a 503 would
   * mean liveness depends on the database), and no run of {@link #LIVENESS_FAILURE_THRESHOLD}
   * unanswered probes (the kubelet's default failureThreshold: a restart). A lone probe that gets
   * no answer within 1 s is possible on a machine this loaded and is reported, not hidden.
   */
  private static void assertNoRestart(List<KubeletProbe.Result> results) {
    assertThat(results).isNotEmpty();
    assertThat(results.stream().filter(r -> r.status() != -1).toList())
        .as("liveness answers")
        .allSatisfy(r -> assertThat(r.status()).as(r.toString()).isEqualTo(200));
    int streak = 0;
    for (KubeletProbe.Result r : results) {
      streak = r.success() ? 0 : streak + 1;
      assertThat(streak).as("consecutive liveness failures (a restart at %d): %s", LIVENESS_FAILURE_THRESHOLD, results).isLessThan(LIVENESS_FAILURE_THRESHOLD);
    }
  }

  private static long failures(List<KubeletProbe.Result> results) {
    return results.stream().filter(r -> !r.success()).count();
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
