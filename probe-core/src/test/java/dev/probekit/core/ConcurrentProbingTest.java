package dev.probekit.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.server.ProbeServer;
import dev.probekit.core.testkit.JsonTree;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several threads probe over real HTTP and directly through {@link ProbeEndpoints} while checks
 * flip every few milliseconds and checks are registered and unregistered: every response must be
 * self-consistent, its status code agreeing with everything its body says.
 */
class ConcurrentProbingTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  private static final String[] QUERIES = {null, "verbose", "format=json", "verbose&exclude=flip-0"};
  private static final String[] PATHS = {"/readyz", "/livez", "/healthz", "/readyz/flip-1"};

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void everyResponseIsSelfConsistentWhileChecksFlipAndComeAndGo() throws Exception {
    HealthRegistry health = fixture.health(b -> b.defaultInterval(Duration.ofMillis(3)));
    for (int i = 0; i < 4; i++) {
      AtomicInteger runs = new AtomicInteger();
      int phase = i;
      health.register(
          "flip-" + i,
          () -> (runs.incrementAndGet() + phase) % 3 == 0 ? CheckResult.down("odd") : CheckResult.up(),
          CheckOptions.of(Probe.READINESS, Probe.LIVENESS));
    }
    health.register(
        "optional", () -> CheckResult.down("never matters"), CheckOptions.builder(Probe.READINESS).required(false).build());
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);
    ProbeServer server =
        ProbeServer.builder(endpoints).port(0).bindAddress(InetAddress.getLoopbackAddress()).start();
    fixture.onCleanup(server::close);
    URI base = URI.create("http://127.0.0.1:" + server.port());
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    AtomicLong registrations = new AtomicLong();
    ExecutorService threads = Executors.newFixedThreadPool(6);
    fixture.onCleanup(threads::shutdownNow);
    List<Future<Integer>> workers = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      workers.add(
          threads.submit(
              () -> {
                int count = 0;
                while (System.nanoTime() < deadline) {
                  String path = PATHS[ThreadLocalRandom.current().nextInt(PATHS.length)];
                  String query = QUERIES[ThreadLocalRandom.current().nextInt(QUERIES.length)];
                  HttpResponse<String> response =
                      client.send(
                          HttpRequest.newBuilder(URI.create(base + path + (query == null ? "" : "?" + query)))
                              .timeout(Duration.ofSeconds(5))
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
                  assertConsistent(path, query, response.statusCode(), response.body());
                  seen.computeIfAbsent(path + " " + response.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                  count++;
                }
                return count;
              }));
    }
    for (int t = 0; t < 2; t++) {
      workers.add(
          threads.submit(
              () -> {
                int count = 0;
                while (System.nanoTime() < deadline) {
                  String path = PATHS[ThreadLocalRandom.current().nextInt(PATHS.length)];
                  String query = QUERIES[ThreadLocalRandom.current().nextInt(QUERIES.length)];
                  boolean head = count % 7 == 0;
                  ProbeResponse response = endpoints.handle(head ? "HEAD" : "GET", path, query, null);
                  if (head) {
                    assertThat(response.bodyLength()).isZero();
                    assertThat(response.status()).isIn(200, 503);
                  } else {
                    assertConsistent(path, query, response.status(), response.bodyAsString());
                  }
                  count++;
                }
                return count;
              }));
    }
    workers.add(
        threads.submit(
            () -> {
              int count = 0;
              while (System.nanoTime() < deadline) {
                String name = "temp-" + (count % 3);
                if (!health.unregister(name)) {
                  health.register(
                      name,
                      () -> ThreadLocalRandom.current().nextBoolean() ? CheckResult.up() : CheckResult.down("coin"),
                      CheckOptions.of(Probe.READINESS));
                  registrations.incrementAndGet();
                }
                count++;
              }
              return count;
            }));

    int total = 0;
    for (Future<Integer> worker : workers) {
      total += worker.get(20, TimeUnit.SECONDS);
    }
    assertThat(total).isGreaterThan(100);
    assertThat(registrations.get()).isGreaterThan(10);
    assertThat(seen).as("both answers seen over HTTP: %s", seen).containsKeys("/readyz 200", "/readyz 503");
  }

  /** The status code agrees with every part of the body; the body agrees with itself. */
  static void assertConsistent(String path, String query, int status, String body) {
    String what = path + "?" + query + " -> " + status + "\n" + body;
    assertThat(status).as(what).isIn(200, 503);
    boolean up = status == 200;
    boolean single = path.startsWith("/readyz/");
    String probe = path.equals("/readyz") ? "readiness" : path.equals("/livez") ? "liveness" : "health";
    if (query == null) {
      String failed = single ? "flip-1 check failed" : probe + " check failed";
      assertThat(body).as(what).isEqualTo(up ? "ok" : failed);
    } else if (query.startsWith("format=json")) {
      Map<String, Object> json = JsonTree.parseObject(body);
      assertThat(json.get("status")).as(what).isEqualTo(up ? "UP" : "DOWN");
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> checks = (List<Map<String, Object>>) json.get("checks");
      boolean allRequiredUp = true;
      for (Map<String, Object> check : checks) {
        if (Boolean.TRUE.equals(check.get("required")) && !"UP".equals(check.get("status"))) {
          // UNKNOWN passes liveness only.
          allRequiredUp &= "liveness".equals(probe) && "UNKNOWN".equals(check.get("status"));
        }
      }
      assertThat(allRequiredUp).as(what).isEqualTo(up);
    } else {
      List<String> lines = body.lines().toList();
      String last = lines.get(lines.size() - 1);
      String name = single ? "flip-1" : probe;
      assertThat(last).as(what).isEqualTo(name + (up ? " check passed" : " check failed"));
      boolean anyFailedLine = lines.stream().anyMatch(l -> l.startsWith("[-]"));
      assertThat(anyFailedLine).as(what).isEqualTo(!up);
      if (query.contains("exclude=flip-0") && !single) {
        assertThat(lines).as(what).contains("[+]flip-0 excluded: ok");
      }
    }
  }
}
