package com.example.consumer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.checks.Checks;
import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.ShutdownSummary;
import dev.probekit.core.server.ProbeServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What a user's service does with Probekit, built against the published artifacts through the
 * BOM: register a check, serve probes on the built-in server, and drain on shutdown.
 */
class ConsumerTest {

  private static final Duration EVENTUALLY = Duration.ofSeconds(20);

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void servesProbesFollowsTheCheckAndDrainsAnInflightRequest() throws Exception {
    AtomicBoolean databaseUp = new AtomicBoolean(true);
    AtomicBoolean poolClosed = new AtomicBoolean();
    try (HealthRegistry health = HealthRegistry.builder().build()) {
      health.register(
          "db",
          () -> databaseUp.get() ? CheckResult.up() : CheckResult.down("connection refused"),
          CheckOptions.builder(Probe.READINESS).interval(Duration.ofMillis(100)).build());
      health.register("deadlocks", Checks.deadlocks(), CheckOptions.of(Probe.LIVENESS));

      Lifecycle lifecycle =
          Lifecycle.builder(health)
              .preStopDelay(Duration.ofMillis(300))
              .drainTimeout(Duration.ofSeconds(15))
              .build();
      lifecycle.addShutdownTask("pool", () -> poolClosed.set(true));
      ProbeServer server =
          ProbeServer.builder(ProbeEndpoints.of(health)).port(0).lifecycle(lifecycle).start();
      URI base = URI.create("http://127.0.0.1:" + server.port());

      await().atMost(EVENTUALLY).until(() -> get(base.resolve("/readyz")), is(200, "ok"));
      assertEquals(200, get(base.resolve("/livez")).statusCode());

      databaseUp.set(false);
      await().atMost(EVENTUALLY)
          .until(() -> get(base.resolve("/readyz?verbose")), r -> r.statusCode() == 503);
      assertTrue(get(base.resolve("/readyz?verbose")).body().contains("[-]db failed"));
      assertEquals(200, get(base.resolve("/livez")).statusCode(), "a dependency never fails liveness");
      databaseUp.set(true);
      await().atMost(EVENTUALLY).until(() -> get(base.resolve("/readyz")), is(200, "ok"));

      // An application request is in flight when the shutdown starts: the drain waits for it.
      lifecycle.inflight().enter();
      CompletableFuture<ShutdownSummary> shutdown = CompletableFuture.supplyAsync(lifecycle::shutdown);
      await().atMost(EVENTUALLY)
          .until(() -> get(base.resolve("/readyz")).statusCode(), code -> code == 503);
      assertEquals(200, get(base.resolve("/livez")).statusCode(), "alive while draining");
      await().atMost(EVENTUALLY)
          .until(lifecycle::lastCompletedPhase, phase -> phase.equals(Optional.of(DrainPhase.STOP_ACCEPTING)));
      assertFalse(shutdown.isDone(), "the drain waits for the request in flight");
      assertFalse(poolClosed.get(), "shutdown tasks run after the drain");

      lifecycle.inflight().exit();
      ShutdownSummary summary = shutdown.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS);
      assertEquals(1, summary.requestsDrained(), summary.toString());
      assertEquals(0, summary.requestsAbandoned(), summary.toString());
      assertTrue(summary.failedTasks().isEmpty(), summary.toString());
      assertTrue(poolClosed.get());
      // The lifecycle closed the probe server last.
      assertThrows(ConnectException.class, () -> get(base.resolve("/livez")));
    }
  }

  @Test
  void probeCoreBringsOnlySlf4jApiAndJacksonCore() {
    assertLoads("org.slf4j.Logger");
    assertLoads("com.fasterxml.jackson.core.JsonFactory");
    // micrometer-core is optional in probe-core: a user who does not add it does not get it.
    assertMissing("io.micrometer.core.instrument.MeterRegistry");
    assertMissing("com.fasterxml.jackson.databind.ObjectMapper");
    assertMissing("com.google.gson.Gson");
    assertMissing("ch.qos.logback.classic.Logger");
    assertMissing("org.apache.commons.logging.Log");
  }

  private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static java.util.function.Predicate<HttpResponse<String>> is(int status, String body) {
    return response -> response.statusCode() == status && response.body().equals(body);
  }

  private static void assertLoads(String className) {
    try {
      Class.forName(className, false, ConsumerTest.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new AssertionError(className + " should be on a probe-core user's classpath", e);
    }
  }

  private static void assertMissing(String className) {
    assertThrows(
        ClassNotFoundException.class,
        () -> Class.forName(className, false, ConsumerTest.class.getClassLoader()),
        className + " must not reach a probe-core user's classpath");
  }
}
