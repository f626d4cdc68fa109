package dev.probekit.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start, run as it is shown: {@link QuickStart#main} in a child JVM with a real
 * TCP "database", probed over HTTP, then stopped with a real SIGTERM.
 */
class QuickStartTest {

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void servesTheProbesAndDrainsOnSigterm(@TempDir Path dir) throws Exception {
    try (ServerSocket database = new ServerSocket(0)) {
      int probePort = freePort();
      Path log = dir.resolve("quickstart.log");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(QuickStart.class.getName());
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      Map<String, String> env = builder.environment();
      env.put("PROBE_PORT", Integer.toString(probePort));
      env.put("DB_HOST", "127.0.0.1");
      env.put("DB_PORT", Integer.toString(database.getLocalPort()));
      env.put("PROBEKIT_SHUTDOWN_PRE_STOP_DELAY", "3s");
      Process process = builder.start();
      try {
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
        assertThat(process.exitValue()).as(Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("graceful shutdown finished");
      } finally {
        process.destroyForcibly();
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
