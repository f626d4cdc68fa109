package dev.probekit.it.faults;

import static org.awaitility.Awaitility.await;

import dev.probekit.testsupport.ChildProcess;
import dev.probekit.testsupport.ForkedJvm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link FaultProgram} in a child JVM on the test classpath, its output going to a file (a {@link
 * ChildProcess}: a pipe would be closed by {@link Process#destroy()} while the child still drains
 * and logs).
 */
final class FaultProcess implements AutoCloseable {
  private static final Pattern PORTS = Pattern.compile("fault-program ports app=(\\d+) probe=(\\d+)");
  private static final Pattern PROBE = Pattern.compile("fault-program probe=(\\d+)");
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final Process process;
  private final ChildProcess child;
  private long signalAt;

  private FaultProcess(ChildProcess child) {
    this.child = child;
    this.process = child.process();
  }

  /**
   * Starts the program with {@code fault}; short drain timings (pre-stop delay 300 ms, drain 3 s,
   * grace period 6 s, margin 1 s) unless {@code settings} override them.
   */
  static FaultProcess start(String fault, String... settings) throws IOException {
    List<String> jvmArgs =
        new ArrayList<>(
            List.of(
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                "-Xmx96m",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dprobekit.shutdown.pre-stop-delay=300ms",
                "-Dprobekit.shutdown.drain-timeout=3s",
                "-Dprobekit.shutdown.grace-period=6s",
                "-Dprobekit.shutdown.safety-margin=1s"));
    // Later -D options win.
    jvmArgs.addAll(List.of(settings));
    List<String> command =
        ForkedJvm.command(ForkedJvm.testClasspath(), jvmArgs, FaultProgram.class, fault);
    return new FaultProcess(ChildProcess.start("probekit-fault-" + fault + "-", command));
  }

  /** Waits until the program serves both ports. */
  FaultProcess awaitStarted() {
    await("start-up of " + this).atMost(Duration.ofSeconds(40)).until(() -> alive() && appPort() > 0);
    // Ready on its checks, so that the pre-stop delay applies as in a pod in service.
    await("ready").atMost(Duration.ofSeconds(10)).until(() -> get(probePort(), "/readyz").statusCode() == 200);
    return this;
  }

  private boolean alive() {
    return child.requireAlive();
  }

  int appPort() {
    Matcher m = PORTS.matcher(output());
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  int probePort() {
    Matcher m = PROBE.matcher(output());
    if (m.find()) {
      return Integer.parseInt(m.group(1));
    }
    Matcher p = PORTS.matcher(output());
    return p.find() ? Integer.parseInt(p.group(2)) : -1;
  }

  /** Sends SIGTERM (Process.destroy) and notes when. */
  void sigterm() {
    if (signalAt == 0) {
      signalAt = System.nanoTime();
    }
    process.destroy();
  }

  /** Waits for the exit; milliseconds from the first SIGTERM to the exit. */
  long awaitExitMillis(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("still running " + timeoutSeconds + " s after SIGTERM:\n" + output());
    }
    return (System.nanoTime() - signalAt) / 1_000_000;
  }

  /** An application request that stays in flight for {@code ms}, sent now. */
  CompletableFuture<HttpResponse<String>> slowRequest(long ms) {
    return HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appPort() + "/work?ms=" + ms))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The summary line, or fails naming the whole output. */
  String summary() {
    return lines().stream()
        .filter(l -> l.contains("graceful shutdown finished"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no summary line in:\n" + output()));
  }

  /** Milliseconds between the first log lines containing {@code from} and {@code to}. */
  long millisBetween(String from, String to) {
    return Duration.between(timeOf(from), timeOf(to)).toMillis();
  }

  private LocalTime timeOf(String fragment) {
    String line =
        lines().stream()
            .filter(l -> l.contains(fragment))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no line with '" + fragment + "' in:\n" + output()));
    return LocalTime.parse(line.substring(0, line.indexOf(' ')));
  }

  long count(String fragment) {
    return child.count(fragment);
  }

  List<String> lines() {
    return child.lines();
  }

  String output() {
    return child.output();
  }

  @Override
  public String toString() {
    return "FaultProcess" + process.info().arguments().map(a -> a[a.length - 1]).map(a -> "[" + a + "]").orElse("");
  }

  @Override
  public void close() {
    child.close();
  }
}
