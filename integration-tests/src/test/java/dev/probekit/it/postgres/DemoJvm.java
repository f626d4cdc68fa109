package dev.probekit.it.postgres;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's shaded jar in a child JVM, its output going to a file (a pipe would lose what the
 * child prints after {@link Process#destroy()}), its ports read from that output.
 */
final class DemoJvm implements AutoCloseable {
  private static final Pattern PORTS = Pattern.compile("probekit-demo ports app=(\\d+) probe=(\\d+)");
  private static final Pattern PROBE_PORT = Pattern.compile("probekit-demo ports probe=(\\d+)");

  final Process process;
  private final Path log;
  private volatile int appPort = -1;
  private volatile int probePort = -1;

  private DemoJvm(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts the demo on random ports with short drain timings.
   *
   * @param env environment variables for the child (the database settings)
   * @param settings more {@code -Dkey=value} options; later ones win
   */
  static DemoJvm start(Map<String, String> env, String... settings) throws IOException {
    Path jar = Path.of(System.getProperty("probekit.demo.jar", "../examples/target/probekit-demo.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("demo jar not built: " + jar.toAbsolutePath() + " (mvn -pl integration-tests -am verify builds it)");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dprobekit.demo.port=0", "-Dprobekit.probe.port=0",
            "-Dprobekit.shutdown.pre-stop-delay=0ms", "-Dprobekit.shutdown.drain-timeout=5s",
            "-Dprobekit.shutdown.grace-period=8s"));
    command.addAll(List.of(settings));
    command.add("-jar");
    command.add(jar.toString());
    Path log = Files.createTempFile("probekit-demo-pg-", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return new DemoJvm(builder.start(), log);
  }

  /** Waits until the probe server's port is printed (before the database wait). */
  DemoJvm awaitProbePort() {
    await("probe port").atMost(Duration.ofSeconds(30)).until(() -> alive() && parse() && probePort > 0);
    return this;
  }

  /** Waits until both ports are printed (the demo serves). */
  DemoJvm awaitStarted(Duration atMost) {
    await("demo start-up").atMost(atMost).until(() -> alive() && parse() && appPort > 0);
    return this;
  }

  private boolean alive() {
    if (!process.isAlive()) {
      throw new IllegalStateException("demo exited with " + process.exitValue() + ":\n" + output());
    }
    return true;
  }

  private boolean parse() {
    for (String line : lines()) {
      Matcher m = PORTS.matcher(line);
      if (m.find()) {
        appPort = Integer.parseInt(m.group(1));
        probePort = Integer.parseInt(m.group(2));
      }
      Matcher p = PROBE_PORT.matcher(line);
      if (p.find()) {
        probePort = Integer.parseInt(p.group(1));
      }
    }
    return true;
  }

  int appPort() {
    return appPort;
  }

  int probePort() {
    return probePort;
  }

  List<String> lines() {
    try {
      return Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String output() {
    return String.join("\n", lines());
  }

  @Override
  public void close() throws IOException {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    Files.deleteIfExists(log);
  }
}
