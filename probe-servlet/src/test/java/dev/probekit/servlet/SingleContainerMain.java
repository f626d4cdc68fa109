package dev.probekit.servlet;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.ShutdownSummary;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** What the single-container child JVMs share: one probe and one application request, a drain. */
final class SingleContainerMain {
  private SingleContainerMain() {}

  static HealthRegistry health() {
    return HealthRegistry.builder().build();
  }

  static Lifecycle lifecycle(HealthRegistry health) {
    return Lifecycle.builder(health).preStopDelay(Duration.ZERO).exitOnSignal(false).build();
  }

  static ProbeEndpoints endpoints(HealthRegistry health) {
    return ProbeEndpoints.of(health);
  }

  /** Prints whether a class is absent from this JVM's classpath. */
  static void reportAbsent(String className, String label) {
    try {
      Class.forName(className);
      System.out.println("STEP " + label + "-present");
    } catch (ClassNotFoundException expected) {
      System.out.println("STEP " + label + "-absent");
    }
  }

  /** Serves one probe and one application request, drains, and reports. */
  static void exercise(int port, Lifecycle lifecycle, java.util.function.BooleanSupplier stopped)
      throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String live = get(client, port, "/livez");
    String hello = get(client, port, "/hello");
    System.out.println("STEP served livez=" + live + " hello=" + hello);
    // The client may read the response before the servlet's thread is back in the filter.
    lifecycle.inflight().awaitZero(Duration.ofSeconds(5));
    System.out.println(
        "STEP counted started=" + lifecycle.inflight().started() + " finished="
            + lifecycle.inflight().finished());
    ShutdownSummary summary = lifecycle.shutdown();
    System.out.println("STEP stopped=" + stopped.getAsBoolean() + " failed=" + summary.failedTasks());
  }

  private static String get(HttpClient client, int port, String path) throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }
}
