package dev.probekit.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.ShutdownSummary;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The built-in server tied to a lifecycle: the preStop hook, Connection: close, closing last. */
class ProbeServerLifecycleTest {
  private final HealthRegistry health = HealthRegistry.builder().build();
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private ProbeServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    health.close();
  }

  private HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void preStopHookAnswersWhenTheDelayIsOverWhileProbesKeepAnswering() throws Exception {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofMillis(1_000)).build();
    // One thread: the hook must not hold it for the delay, or /livez could not answer meanwhile.
    server = ProbeServer.builder(ProbeEndpoints.of(health)).port(0).preStop("/prestop", lifecycle).start();

    long start = System.nanoTime();
    CompletableFuture<HttpResponse<String>> hook =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/prestop")).build(),
            HttpResponse.BodyHandlers.ofString());
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).until(lifecycle::isDraining);

    HttpResponse<String> livez = send("GET", "/livez");
    HttpResponse<String> readyz = send("GET", "/readyz");
    assertThat(hook).isNotDone();
    assertThat(livez.statusCode()).isEqualTo(200);
    assertThat(readyz.statusCode()).isEqualTo(503);

    HttpResponse<String> answer = hook.get(5, TimeUnit.SECONDS);
    long hookMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("pre-stop delay over");
    assertThat(hookMillis).isGreaterThanOrEqualTo(990);

    // The SIGTERM that follows continues from STOP_ACCEPTING: no second delay.
    long t0 = System.nanoTime();
    ShutdownSummary summary = lifecycle.shutdown();
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(900);
    assertThat(summary.phaseDurations()).containsKeys(DrainPhase.values());
  }

  @Test
  void repeatedPreStopCallsWaitForTheSameDelay() throws Exception {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofMillis(1_000)).build();
    AtomicInteger announces = new AtomicInteger();
    lifecycle.addListener((phase, took) -> {
      if (phase == DrainPhase.ANNOUNCE) {
        announces.incrementAndGet();
      }
    });
    server = ProbeServer.builder(ProbeEndpoints.of(health)).port(0).preStop("/prestop", lifecycle).start();

    long start = System.nanoTime();
    HttpResponse<String> first = send("POST", "/prestop");
    long firstMillis = (System.nanoTime() - start) / 1_000_000;
    long t1 = System.nanoTime();
    HttpResponse<String> second = send("GET", "/prestop");
    long secondMillis = (System.nanoTime() - t1) / 1_000_000;

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(firstMillis).isGreaterThanOrEqualTo(990);
    assertThat(secondMillis).isLessThan(900);
    assertThat(announces.get()).isEqualTo(1);
  }

  @Test
  void preStopHookRejectsOtherMethodsWithoutStartingTheSequence() throws Exception {
    Lifecycle lifecycle = Lifecycle.builder(health).build();
    server = ProbeServer.builder(ProbeEndpoints.of(health)).port(0).preStop("/prestop", lifecycle).start();

    HttpResponse<String> put = send("PUT", "/prestop");
    HttpResponse<String> delete = send("DELETE", "/prestop");

    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(put.headers().firstValue("Allow")).contains("GET, POST");
    assertThat(delete.statusCode()).isEqualTo(405);
    assertThat(lifecycle.isDraining()).isFalse();
  }

  @Test
  void preStopHookIsOffUnlessConfigured() throws Exception {
    Lifecycle lifecycle = Lifecycle.builder(health).build();
    server = ProbeServer.builder(ProbeEndpoints.of(health)).port(0).lifecycle(lifecycle).start();

    assertThat(send("GET", "/prestop").statusCode()).isEqualTo(404);
    assertThat(lifecycle.isDraining()).isFalse();
  }

  @Test
  void preStopPathMustNotShadowAProbePath() {
    Lifecycle lifecycle = Lifecycle.builder(health).build();
    ProbeServer.Builder builder = ProbeServer.builder(ProbeEndpoints.of(health));
    assertThatThrownBy(() -> builder.preStop("/readyz", lifecycle))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/readyz");
    assertThatThrownBy(() -> builder.preStop("prestop", lifecycle))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void probeResponsesCarryConnectionCloseWhileDraining() throws Exception {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofSeconds(5)).build();
    server = ProbeServer.builder(ProbeEndpoints.of(health)).port(0).lifecycle(lifecycle).start();

    assertThat(send("GET", "/livez").headers().firstValue("Connection")).isEmpty();
    lifecycle.preStopAsync();
    org.awaitility.Awaitility.await().until(lifecycle::isDraining);
    HttpResponse<String> livez = send("GET", "/livez");

    assertThat(livez.statusCode()).isEqualTo(200);
    assertThat(livez.headers().firstValue("Connection")).contains("close");
  }

  @Test
  void probeServerClosesLastAfterEveryShutdownTask() throws Exception {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ZERO).build();
    AtomicInteger livezDuringTask = new AtomicInteger();
    // Registered before the server: tasks run last-registered-first, so were the server an
    // ordinary task it would be closed before this one runs.
    lifecycle.addShutdownTask("early-task", () -> livezDuringTask.set(send("GET", "/livez").statusCode()));
    server = ProbeServer.builder(ProbeEndpoints.of(health)).port(0).lifecycle(lifecycle).start();

    ShutdownSummary summary = lifecycle.shutdown();

    assertThat(livezDuringTask.get()).isEqualTo(200);
    assertThat(summary.failedTasks()).isEmpty();
    assertThatThrownBy(() -> send("GET", "/livez")).isInstanceOf(ConnectException.class);
  }

  @Test
  void preStopHookAnswers503WhenThePreStopStepFails() throws Exception {
    // A real lifecycle whose announce step meets a throwing listener: the step goes on (the delay
    // is served) but counts as failed, and the hook says so.
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofMillis(600)).build();
    lifecycle.addListener(
        (phase, took) -> {
          throw new AssertionError("listener failed with password=secret");
        });
    server = ProbeServer.builder(ProbeEndpoints.of(health)).port(0).preStop("/prestop", lifecycle).start();

    CompletableFuture<HttpResponse<String>> hook =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/prestop")).build(),
            HttpResponse.BodyHandlers.ofString());
    // While the step runs the server's one thread answers probes.
    await().atMost(Duration.ofSeconds(5)).until(lifecycle::isDraining);
    assertThat(send("GET", "/livez").statusCode()).isEqualTo(200);

    HttpResponse<String> answer = hook.get(10, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).isEqualTo(503);
    assertThat(answer.body()).isEqualTo("pre-stop failed");
    assertThat(send("GET", "/livez").statusCode()).isEqualTo(200);
  }

  @Test
  void preStopHookAnswersHeadWith405LikeEveryOtherMethodButGetAndPost() throws Exception {
    Lifecycle lifecycle = Lifecycle.builder(health).build();
    server = ProbeServer.builder(ProbeEndpoints.of(health)).port(0).preStop("/prestop", lifecycle).start();

    HttpResponse<String> head = send("HEAD", "/prestop");
    assertThat(head.statusCode()).isEqualTo(405);
    assertThat(head.headers().firstValue("Allow")).contains("GET, POST");
    assertThat(lifecycle.isDraining()).isFalse();
  }

}
