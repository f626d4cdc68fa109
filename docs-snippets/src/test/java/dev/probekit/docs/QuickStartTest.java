package dev.probekit.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.testsupport.ChildProcess;
import dev.probekit.testsupport.ForkedJvm;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's quick start, run as it is shown: {@link QuickStart#main} in a child JVM with a real
 * TCP "database", probed over HTTP, then stopped with a real SIGTERM.
 */
class QuickStartTest {

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void servesTheProbesAndDrainsOnSigterm() throws Exception {
    try (ServerSocket database = new ServerSocket(0)) {
      int probePort = freePort();
      List<String> command = ForkedJvm.command(ForkedJvm.testClasspath(), List.of(), QuickStart.class);
      Map<String, String> env =
          Map.of(
              "PROBE_PORT", Integer.toString(probePort),
              "DB_HOST", "127.0.0.1",
              "DB_PORT", Integer.toString(database.getLocalPort()),
              "PROBEKIT_SHUTDOWN_PRE_STOP_DELAY", "3s");
      try (ChildProcess child = ChildProcess.start("quickstart-", command, env)) {
        Process process = child.process();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
            .ignoreExceptions()
            .until(() -> get(probePort, "/readyz").statusCode() == 200);
        assertThat(get(probePort, "/readyz").body()).isEqualTo("ok");
        assertThat(get(probePort, "/livez").statusCode()).isEqualTo(200);
        assertThat(get(probePort, "/startupz").statusCode()).isEqualTo(200);
        assertThat(get(probePort, "/readyz/db").statusCode()).isEqualTo(200);

        process.destroy(); // SIGTERM
        // During the pre-stop delay the probe server still answers: readiness is DOWN, liveness UP.
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20))
            .ignoreExceptions()
            .until(() -> get(probePort, "/readyz").statusCode() == 503);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
        assertThat(process.exitValue()).as(child.output()).isZero();
        assertThat(child.output()).contains("graceful shutdown finished");
      }
    }
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
