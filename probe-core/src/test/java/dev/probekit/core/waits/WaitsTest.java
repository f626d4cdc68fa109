package dev.probekit.core.waits;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.probekit.core.DetailsPolicy;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.ShutdownSummary;
import dev.probekit.core.server.ProbeServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Dependency waits against real sockets, a real HTTP server (WireMock) and a real database (H2). */
class WaitsTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final HealthRegistry health = HealthRegistry.builder().build();

  @AfterEach
  void close() throws Exception {
    timer.shutdownNow();
    for (AutoCloseable c : closeables) {
      c.close();
    }
    health.close();
  }

  /**
   * A loopback port that refuses connections: bound by a client socket that never listens, so no
   * other process can take it before the test opens its listener there.
   */
  private Socket reservePort() throws IOException {
    Socket reservation = new Socket();
    reservation.setReuseAddress(true);
    reservation.bind(new InetSocketAddress(LOOPBACK, 0));
    closeables.add(reservation);
    return reservation;
  }

  /** Opens a listener on the reserved port after {@code millis}. */
  private CompletableFuture<ServerSocket> listenAfter(Socket reservation, long millis) {
    CompletableFuture<ServerSocket> opened = new CompletableFuture<>();
    timer.schedule(
        () -> {
          try {
            int port = reservation.getLocalPort();
            reservation.close();
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(LOOPBACK, port));
            closeables.add(server);
            opened.complete(server);
          } catch (IOException e) {
            opened.completeExceptionally(e);
          }
        },
        millis,
        TimeUnit.MILLISECONDS);
    return opened;
  }

  private WireMockServer wireMock() {
    WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    server.start();
    closeables.add(server::stop);
    // A fresh WireMock's first answer can take seconds on a loaded machine (class loading, Jetty
    // warming up): longer than an attempt's timeout. Not on the path the tests count.
    try {
      HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/warm-up")).build(),
              HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      throw new IllegalStateException("WireMock did not answer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while warming WireMock up", e);
    }
    return server;
  }

  @Test
  void tcpWaitSucceedsOnceTheServerSocketOpens() throws Exception {
    Socket reservation = reservePort();
    int port = reservation.getLocalPort();
    Waits waits =
        Waits.builder().add(Waits.tcp("127.0.0.1", port)).deadline(Duration.ofSeconds(10)).build();
    closeables.add(waits);

    long start = System.nanoTime();
    CompletableFuture<ServerSocket> opened = listenAfter(reservation, 500);
    boolean allMet = waits.await();
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(allMet).isTrue();
    assertThat(opened).isDone();
    assertThat(waits.unmet()).isEmpty();
    // Opened at 500 ms; attempts at about 0, 100, 300, 700 ms: met by the 700 ms one, not later.
    assertThat(tookMillis).isBetween(500L, 2_500L);
  }

  @Test
  void httpWaitRetriesThrough503sUntilA200() throws Exception {
    WireMockServer server = wireMock();
    for (int i = 0; i < 3; i++) {
      server.stubFor(
          get("/ready")
              .inScenario("boot")
              .whenScenarioStateIs(i == 0 ? STARTED : "503-" + i)
              .willReturn(aResponse().withStatus(503).withBody("warming up"))
              .willSetStateTo("503-" + (i + 1)));
    }
    server.stubFor(
        get("/ready").inScenario("boot").whenScenarioStateIs("503-3").willReturn(aResponse().withStatus(200)));
    Waits waits =
        Waits.builder()
            .add(Waits.http("http://127.0.0.1:" + server.port() + "/ready").named("auth"))
            // Counted requests: an attempt slowed past 2 s by a loaded machine would be retried.
            .attemptTimeout(Duration.ofSeconds(10))
            .initialBackoff(Duration.ofMillis(20))
            .deadline(Duration.ofSeconds(10))
            .build();
    closeables.add(waits);

    assertThat(waits.await()).isTrue();
    server.verify(4, getRequestedFor(urlEqualTo("/ready")));
  }

  @Test
  void httpWaitCountsRedirectsAsAvailable() throws Exception {
    WireMockServer server = wireMock();
    server.stubFor(get("/ready").willReturn(aResponse().withStatus(302).withHeader("Location", "/elsewhere")));
    Waits waits =
        Waits.builder()
            .add(Waits.http("http://127.0.0.1:" + server.port() + "/ready"))
            // Counted requests: a first attempt slowed past 2 s by a loaded machine would be retried.
            .attemptTimeout(Duration.ofSeconds(10))
            .build();
    closeables.add(waits);

    assertThat(waits.await()).isTrue();
    server.verify(1, getRequestedFor(urlEqualTo("/ready")));
  }

  @Test
  void httpAttemptThatStallsPastItsTimeoutFailsAndIsRetried() throws Exception {
    WireMockServer server = wireMock();
    server.stubFor(get("/slow").willReturn(aResponse().withStatus(200).withFixedDelay(3_000)));
    Waits waits =
        Waits.builder()
            .add(Waits.http("http://127.0.0.1:" + server.port() + "/slow").named("slow-api"))
            .attemptTimeout(Duration.ofMillis(300))
            .initialBackoff(Duration.ofMillis(50))
            .deadline(Duration.ofMillis(1_500))
            .build();
    closeables.add(waits);

    long start = System.nanoTime();
    assertThatThrownBy(waits::await)
        .isInstanceOf(DependencyWaitException.class)
        .hasMessageContaining("slow-api")
        // The client's own timeout, or the runner's guard just after it when the machine is slow.
        .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("HttpTimeoutException", "no answer within 300ms"))
        // Cut at 300 ms and retried: a 3 s answer would have allowed one attempt only.
        .satisfies(e -> assertThat(e.getMessage()).containsPattern("slow-api \\(GET [^)]+\\): [2-9] attempts"));
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    // The deadline holds although each response would take 3 s.
    assertThat(tookMillis).isBetween(1_400L, 2_800L);
  }

  @Test
  void jdbcWaitConnectsOnceTheDatabaseServerStarts() throws Exception {
    Socket reservation = reservePort();
    int port = reservation.getLocalPort();
    String url = "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:waits;DB_CLOSE_DELAY=-1";
    DependencyWait db = Waits.jdbc(url, "sa", "s3cret-pw");
    assertThat(db.name()).isEqualTo("h2");
    assertThat(db.description()).isEqualTo("jdbc:h2:tcp://127.0.0.1:" + port + "/mem:waits");
    Waits waits = Waits.builder().add(db).deadline(Duration.ofSeconds(15)).build();
    closeables.add(waits);

    CompletableFuture<Server> started = new CompletableFuture<>();
    timer.schedule(
        () -> {
          try {
            reservation.close();
            Server h2 = Server.createTcpServer("-tcpPort", String.valueOf(port), "-ifNotExists").start();
            closeables.add(h2::stop);
            started.complete(h2);
          } catch (Exception e) {
            started.completeExceptionally(e);
          }
        },
        400,
        TimeUnit.MILLISECONDS);

    assertThat(waits.await()).isTrue();
    assertThat(started).isCompleted();
  }

  @Test
  void jdbcFailureNamesTheDatabaseButNeverThePassword() throws Exception {
    Socket reservation = reservePort();
    String url = "jdbc:h2:tcp://127.0.0.1:" + reservation.getLocalPort() + "/mem:none;PASSWORD=inline-secret";
    Waits waits =
        Waits.builder()
            .add(Waits.jdbc(url, "sa", "s3cret-pw").named("orders-db"))
            .deadline(Duration.ofMillis(600))
            .build();
    closeables.add(waits);

    assertThatThrownBy(waits::await)
        .isInstanceOf(DependencyWaitException.class)
        .hasMessageContaining("orders-db (jdbc:h2:tcp://127.0.0.1:")
        .hasMessageContaining("last error: ")
        .hasMessageNotContaining("s3cret-pw")
        .hasMessageNotContaining("inline-secret");
  }

  @Test
  void deadlineMessageNamesEveryUnmetDependencyAndItsLastError() throws Exception {
    Socket reservation = reservePort();
    int port = reservation.getLocalPort();
    Waits waits =
        Waits.builder()
            .add(Waits.tcp("127.0.0.1", port).named("postgres"))
            .add(Waits.of("cache", () -> {
              throw new IllegalStateException("cache still warming");
            }))
            .add(Waits.of("config", () -> true))
            .add(Waits.of("flag", () -> false))
            .deadline(Duration.ofMillis(1_500))
            .build();
    closeables.add(waits);

    DependencyWaitException e = null;
    try {
      waits.await();
    } catch (DependencyWaitException thrown) {
      e = thrown;
    }

    assertThat(e).isNotNull();
    assertThat(e.aborted()).isFalse();
    assertThat(e.unmet()).containsExactly("postgres", "cache", "flag");
    assertThat(e.getMessage())
        .startsWith("gave up waiting for 3 of 4 dependencies after 1500ms: ")
        .contains("postgres (tcp 127.0.0.1:" + port + "): ")
        .contains("last error: ConnectException: Connection refused")
        .contains("cache: ")
        .contains("last error: IllegalStateException: cache still warming")
        .contains("flag: ")
        .contains("last error: IllegalStateException: not available yet")
        .doesNotContain("config");
    assertThat(e.getMessage()).containsPattern("postgres \\(tcp [^)]+\\): \\d+ attempts");
    // A second await reports the same outcome without waiting again.
    assertThatThrownBy(waits::await).hasMessage(e.getMessage());
  }

  @Test
  void backoffGrowsAndIsCapped() throws Exception {
    List<Long> attempts = new CopyOnWriteArrayList<>();
    Waits waits =
        Waits.builder()
            .add(Waits.of("flaky", () -> {
              attempts.add(System.nanoTime());
              throw new IOException("down");
            }))
            .initialBackoff(Duration.ofMillis(50))
            .maxBackoff(Duration.ofMillis(100))
            .jitter(0)
            .deadline(Duration.ofMillis(2_000))
            .build();
    closeables.add(waits);

    assertThatThrownBy(waits::await).isInstanceOf(DependencyWaitException.class);

    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < attempts.size(); i++) {
      gaps.add((attempts.get(i) - attempts.get(i - 1)) / 1_000_000);
    }
    // Grows: 50 ms, then 100 ms (never shorter; a busy machine only makes them longer).
    assertThat(gaps.get(0)).isGreaterThanOrEqualTo(45L);
    assertThat(gaps.subList(1, gaps.size())).allSatisfy(g -> assertThat(g).isGreaterThanOrEqualTo(95L));
    // Capped: uncapped, the attempts would come at 0, 50, 150, 350, 750, 1550 ms (six in 2 s, the
    // later gaps 400 ms and more); capped at 100 ms there are about twenty.
    assertThat(attempts.size()).isGreaterThanOrEqualTo(10);
    List<Long> later = new ArrayList<>(gaps.subList(2, gaps.size()));
    later.sort(null);
    assertThat(later.get(later.size() / 2)).as("median later gap").isLessThan(250L);
  }

  @Test
  void injectedRandomDrivesTheJitter() throws Exception {
    List<Long> attempts = new CopyOnWriteArrayList<>();
    Waits waits =
        Waits.builder()
            .add(Waits.of("flaky", () -> {
              attempts.add(System.nanoTime());
              return false;
            }))
            .initialBackoff(Duration.ofMillis(300))
            .maxBackoff(Duration.ofMillis(300))
            .jitter(0.9)
            .random(() -> -1L) // nextDouble() just under 1: the largest jitter, 270 ms off
            .deadline(Duration.ofMillis(700))
            .build();
    closeables.add(waits);

    assertThatThrownBy(waits::await).isInstanceOf(DependencyWaitException.class);

    // 30 ms apart instead of 300: more than ten attempts where plain backoff allows three.
    assertThat(attempts.size()).isGreaterThanOrEqualTo(8);
  }

  @Test
  void hungAttemptIsNeverRunTwiceAtOnce() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    AtomicInteger calls = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    closeables.add(release::countDown);
    Waits waits =
        Waits.builder()
            .add(Waits.of("deaf", () -> {
              calls.incrementAndGet();
              maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
              try {
                while (release.getCount() > 0) {
                  try {
                    release.await();
                  } catch (InterruptedException ignored) {
                    // deaf to the attempt timeout on purpose
                  }
                }
              } finally {
                running.decrementAndGet();
              }
              return true;
            }))
            .attemptTimeout(Duration.ofMillis(50))
            .initialBackoff(Duration.ofMillis(10))
            .maxBackoff(Duration.ofMillis(50))
            .deadline(Duration.ofMillis(600))
            .build();
    closeables.add(waits);

    assertThatThrownBy(waits::await)
        .isInstanceOf(DependencyWaitException.class)
        .hasMessageContaining("TimeoutException: no answer within 50ms");
    assertThat(maxRunning.get()).isEqualTo(1);
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void startupIsDownWithProgressWhileWaitingAndLivenessStaysUp() throws Exception {
    Socket reservation = reservePort();
    int port = reservation.getLocalPort();
    ProbeServer server =
        ProbeServer.builder(ProbeEndpoints.builder(health).detailsPolicy(DetailsPolicy.always()).build())
            .port(0)
            .start();
    closeables.add(server);
    Waits waits =
        Waits.builder()
            .add(Waits.tcp("127.0.0.1", port).named("db"))
            .health(health)
            .maxBackoff(Duration.ofMillis(200))
            .deadline(Duration.ofSeconds(20))
            .build();
    closeables.add(waits);
    CompletableFuture<Boolean> result = CompletableFuture.supplyAsync(() -> awaitQuietly(waits));

    HttpClient client = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + server.port();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              HttpResponse<String> startupz = fetch(client, base + "/startupz?verbose");
              assertThat(startupz.statusCode()).isEqualTo(503);
              assertThat(startupz.body())
                  .contains("[-]wait-db failed: waiting for tcp 127.0.0.1:" + port + ": attempt ")
                  .contains("last error: ConnectException: Connection refused")
                  .contains("startup check failed");
            });
    assertThat(fetch(client, base + "/livez").statusCode()).isEqualTo(200);
    assertThat(fetch(client, base + "/readyz").statusCode()).isEqualTo(503);
    // Without permission for details, the reason is withheld.
    assertThat(ProbeEndpoints.of(health).handle("GET", "/startupz", "verbose", null).bodyAsString())
        .contains("[-]wait-db failed: reason withheld")
        .doesNotContain("Connection refused");

    listenAfter(reservation, 0);
    assertThat(result.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(fetch(client, base + "/startupz").statusCode()).isEqualTo(200);
    assertThat(fetch(client, base + "/readyz").statusCode()).isEqualTo(200);
    assertThat(health.checkNames()).doesNotContain("wait-db");
  }

  @Test
  void degradedStartKeepsReadinessDownUntilTheDependencyArrives() throws Exception {
    Socket reservation = reservePort();
    int port = reservation.getLocalPort();
    Waits waits =
        Waits.builder()
            .add(Waits.tcp("127.0.0.1", port).named("broker"))
            .health(health)
            .continueDegraded(true)
            .maxBackoff(Duration.ofMillis(100))
            .deadline(Duration.ofMillis(500))
            .build();
    closeables.add(waits);

    assertThat(waits.await()).isFalse();
    assertThat(waits.unmet()).containsExactly("broker");
    await().until(() -> health.snapshot(Probe.STARTUP).isUp());
    assertThat(health.snapshot(Probe.READINESS).isUp()).isFalse();
    await()
        .untilAsserted(
            () ->
                assertThat(
                        health.snapshot(Probe.READINESS).check("wait-broker").orElseThrow().lastResult().orElseThrow().message())
                    .hasValueSatisfying(m -> assertThat(m).contains("deadline passed", "ConnectException")));

    listenAfter(reservation, 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> health.snapshot(Probe.READINESS).isUp());
    assertThat(waits.unmet()).isEmpty();
  }

  @Test
  void shutdownDuringTheWaitsAbortsThem() throws Exception {
    Socket reservation = reservePort();
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofSeconds(5)).build();
    Waits waits =
        Waits.builder()
            .add(Waits.tcp("127.0.0.1", reservation.getLocalPort()).named("db"))
            .health(health)
            .lifecycle(lifecycle)
            .deadline(Duration.ofSeconds(30))
            .build();
    closeables.add(waits);
    CompletableFuture<Boolean> result = CompletableFuture.supplyAsync(() -> awaitQuietly(waits));
    await().until(() -> health.checkNames().contains("wait-db"));

    long start = System.nanoTime();
    ShutdownSummary summary = lifecycle.shutdown();

    assertThatThrownBy(() -> result.get(2, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(IllegalStateException.class)
        .cause()
        .isInstanceOf(DependencyWaitException.class)
        .hasMessageContaining("aborted")
        .hasMessageContaining("db (tcp 127.0.0.1:");
    // Never ready, so no pre-stop delay: straight to the stop steps.
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
    assertThat(summary.phaseDurations().get(DrainPhase.PRE_STOP_DELAY)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void namesMustBeUnique() {
    Waits.Builder builder = Waits.builder().add(Waits.tcp("db", 5432)).add(Waits.tcp("db", 5432));
    assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("db:5432");
  }

  @Test
  void invalidArgumentsAreRejectedAtOnce() {
    assertThatThrownBy(() -> Waits.tcp("db", 0)).hasMessageContaining("port: 0");
    assertThatThrownBy(() -> Waits.http("ftp://x/")).hasMessageContaining("ftp://x/");
    assertThatThrownBy(() -> Waits.jdbc("postgres://x", null, null)).hasMessageContaining("jdbc:");
    assertThatThrownBy(() -> Waits.builder().deadline(Duration.ZERO)).hasMessageContaining("deadline");
    assertThatThrownBy(() -> Waits.builder().initialBackoff(Duration.ofSeconds(10)).build())
        .hasMessageContaining("initialBackoff");
    assertThatThrownBy(() -> Waits.of(" ", () -> true)).hasMessageContaining("name");
  }

  @Test
  void noDependenciesMeansNothingToWaitFor() throws Exception {
    Waits waits = Waits.builder().build();
    assertThat(waits.await()).isTrue();
  }

  private static boolean awaitQuietly(Waits waits) {
    try {
      return waits.await();
    } catch (DependencyWaitException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<String> fetch(HttpClient client, String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
