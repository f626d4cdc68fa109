package dev.probekit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo's start-up and stop paths in a child JVM: waits, preStop hook, signals, bad settings. */
class DemoLifecycleIT {
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private DemoProcess demo;

  @AfterEach
  void kill() {
    if (demo != null) {
      demo.close();
    }
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> getAsync(int port, String path) {
    return client.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Timeout(60)
  void startupIsDownAndLivenessUpWhileWaitingThenTheDemoServes() throws Exception {
    demo = DemoProcess.start("-Dprobekit.demo.dependency-delay=2s", "-Dprobekit.demo.details=always").awaitProbePort();
    int probe = demo.probePort();

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              HttpResponse<String> startupz = get(probe, "/startupz?verbose");
              assertThat(startupz.statusCode()).isEqualTo(503);
              assertThat(startupz.body())
                  .contains("[-]wait-database failed: waiting for jdbc:h2:tcp://127.0.0.1:")
                  .contains("[-]app-server failed: application server not started");
            });
    assertThat(get(probe, "/livez").statusCode()).isEqualTo(200);

    demo.awaitStarted();
    await().atMost(Duration.ofSeconds(10)).until(() -> get(probe, "/startupz").statusCode() == 200);
    await().atMost(Duration.ofSeconds(10)).until(() -> get(probe, "/readyz").statusCode() == 200);
    assertThat(get(demo.appPort(), "/").body()).isEqualTo("hello from probekit-demo; H2 answered\n");
    assertThat(demo.output()).contains("database (jdbc:h2:tcp://127.0.0.1:").contains("is available after");

    // Stopping the database flips readiness, never liveness.
    HttpResponse<String> down =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.appPort() + "/dependency/down"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(down.statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> get(probe, "/readyz").statusCode() == 503);
    assertThat(get(probe, "/readyz?verbose").body()).contains("[-]database failed");
    assertThat(get(probe, "/livez").statusCode()).isEqualTo(200);
  }

  @Test
  @Timeout(60)
  void sigtermDuringTheDependencyWaitAbortsItAndExitsZeroAtOnce() throws Exception {
    demo =
        DemoProcess.start(
                "-Dprobekit.demo.dependency-delay=60s",
                "-Dprobekit.shutdown.pre-stop-delay=5s",
                "-Dprobekit.shutdown.grace-period=15s")
            .awaitProbePort();
    await().until(() -> demo.count("waiting for 1 dependency") == 1);

    long signalAt = System.nanoTime();
    demo.process.destroy();
    assertThat(demo.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long exitMillis = (System.nanoTime() - signalAt) / 1_000_000;

    assertThat(demo.process.exitValue()).as(demo.output()).isZero();
    // Never ready, so the 5 s pre-stop delay is skipped.
    assertThat(exitMillis).isLessThan(3_000);
    assertThat(demo.output())
        .contains("dependency waits aborted")
        .contains("no pre-stop delay")
        .contains("graceful shutdown finished")
        .doesNotContain("probekit-demo ports app=");
  }

  @Test
  @Timeout(60)
  void dependencyMissingAtTheDeadlineExitsNonZeroNamingIt() throws Exception {
    demo = DemoProcess.start("-Dprobekit.demo.dependency-delay=60s", "-Dprobekit.demo.wait-deadline=1s");

    assertThat(demo.process.waitFor(20, TimeUnit.SECONDS)).isTrue();

    assertThat(demo.process.exitValue()).isEqualTo(1);
    assertThat(demo.output())
        .contains("probekit-demo: gave up waiting for 1 dependency after 1s: database (jdbc:h2:tcp://127.0.0.1:")
        .contains("Connection refused");
  }

  @Test
  @Timeout(30)
  void invalidShutdownSettingFailsAtStartupNamingKeyAndValue() throws Exception {
    demo = DemoProcess.start("-Dprobekit.shutdown.drain-timeout=soon");

    assertThat(demo.process.waitFor(20, TimeUnit.SECONDS)).isTrue();

    assertThat(demo.process.exitValue()).isEqualTo(2);
    assertThat(demo.output())
        .contains("probekit-demo: invalid setting: system property probekit.shutdown.drain-timeout: 'soon'");
  }

  @Test
  @Timeout(60)
  void preStopHookThenSigtermWaitsOnceAndSecondSigtermRunsNoStepTwice() throws Exception {
    demo = DemoProcess.start().awaitStarted();
    await().atMost(Duration.ofSeconds(10)).until(() -> get(demo.probePort(), "/readyz").statusCode() == 200);
    CompletableFuture<HttpResponse<String>> slow = getAsync(demo.appPort(), "/work?ms=2500");
    await().until(() -> get(demo.appPort(), "/stats").body().contains(" slow=1 "));

    // The kubelet's preStop httpGet: answered once the 1 s pre-stop delay is over.
    long hookAt = System.nanoTime();
    HttpResponse<String> hook = get(demo.probePort(), "/prestop");
    long hookMillis = (System.nanoTime() - hookAt) / 1_000_000;
    assertThat(hook.statusCode()).isEqualTo(200);
    assertThat(hookMillis).isBetween(900L, 3_000L);
    assertThat(get(demo.probePort(), "/readyz").statusCode()).isEqualTo(503);

    // Then SIGTERM, and again while draining (an impatient operator).
    long signalAt = System.nanoTime();
    demo.process.destroy();
    await().until(() -> demo.count("received SIGTERM") >= 1);
    demo.process.destroy();

    assertThat(demo.process.waitFor(15, TimeUnit.SECONDS)).isTrue();
    long exitMillis = (System.nanoTime() - signalAt) / 1_000_000;
    assertThat(demo.process.exitValue()).as(demo.output()).isZero();
    assertThat(slow.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    // No second pre-stop delay: the exit follows the slow request, not another second of waiting.
    assertThat(exitMillis).as(demo.output()).isLessThan(2_500);
    assertThat(demo.count("shutdown: announce done")).isEqualTo(1);
    assertThat(demo.count("shutdown: pre-stop-delay done")).isEqualTo(1);
    assertThat(demo.count("shutdown: stop-accepting done")).isEqualTo(1);
    assertThat(demo.count("shutdown: drain done")).isEqualTo(1);
    assertThat(demo.count("graceful shutdown finished")).isEqualTo(1);
    assertThat(demo.output()).contains("requests drained=1, abandoned=0");
  }
}
