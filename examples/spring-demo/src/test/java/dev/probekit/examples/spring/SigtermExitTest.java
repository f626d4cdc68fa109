package dev.probekit.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.testsupport.ChildProcess;
import dev.probekit.testsupport.ForkedJvm;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The demo in a child JVM that receives a real SIGTERM ({@code Process.destroy()}) with a request in
 * flight: the exit code and the shutdown summary, after a clean drain and after a missed deadline.
 * A Spring Boot application exits 143 (128 + SIGTERM) either way: the JVM's own signal handler
 * runs the shutdown hooks, Spring's closes the context (and Probekit's drain inside it), and the
 * JVM then exits with the signal's code. Probekit's built-in lifecycle ({@code
 * installSignalHandler()}) exits 0 instead; Kubernetes ignores the exit code of a pod it stops.
 */
class SigtermExitTest {

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static ChildProcess start(int app, int probes, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of(
        "--server.port=" + app, "--server.address=127.0.0.1",
        "--probekit.server.port=" + probes, "--probekit.server.address=127.0.0.1",
        "--spring.main.banner-mode=off",
        "--management.endpoints.web.exposure.include=health,metrics"));
    args.addAll(List.of(extra));
    return ChildProcess.start(
        "spring-demo",
        ForkedJvm.command(
            ForkedJvm.testClasspath(), List.of(), SpringDemoApplication.class, args.toArray(String[]::new)));
  }

  private static String runAndTerminate(long requestMillis, int expectedStatus, String... extra)
      throws Exception {
    int app = freePort();
    int probes = freePort();
    ChildProcess child = start(app, probes, extra);
    Process p = child.process();
    try {
      String appBase = "http://127.0.0.1:" + app;
      String probeBase = "http://127.0.0.1:" + probes;
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> SpringDemoApplicationTest.send("GET", probeBase + "/readyz").statusCode() == 200);
      CompletableFuture<Integer> request = CompletableFuture.supplyAsync(() -> {
        try {
          HttpResponse<String> r = SpringDemoApplicationTest.send(
              "GET", appBase + "/shop/work?ms=" + requestMillis, Duration.ofSeconds(60));
          return r.statusCode();
        } catch (Exception e) {
          return -1;
        }
      });
      // The request is in flight once Probekit's own gauge says so (Actuator's metrics endpoint):
      // 2, the work request and the metrics request asking.
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> SpringDemoApplicationTest.send(
                  "GET", appBase + "/shop/actuator/metrics/probekit.inflight")
              .body().contains("\"value\":2.0"));
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(request.get(30, TimeUnit.SECONDS)).isEqualTo(expectedStatus);
      String out = child.output();
      assertThat(p.exitValue()).as(out).isEqualTo(143);
      return out;
    } finally {
      p.destroyForcibly();
      // The child's log, for the test report.
      System.out.println(child.output());
      child.close();
    }
  }

  @Test
  void cleanDrainOnSigtermFinishesTheRequestAndExits143() throws Exception {
    String out = runAndTerminate(8000, 200, "--probekit.shutdown.pre-stop-delay=300ms");
    assertThat(out).contains("requests drained=1, abandoned=0");
  }

  @Test
  void missedDeadlineOnSigtermAbandonsTheRequestAndStillExits143() throws Exception {
    String out = runAndTerminate(40_000, -1,
        "--probekit.shutdown.pre-stop-delay=0s",
        "--probekit.shutdown.drain-timeout=1s",
        "--spring.lifecycle.timeout-per-shutdown-phase=1s");
    assertThat(out).contains("abandoned=1");
  }
}
