package dev.probekit.examples;

import static org.awaitility.Awaitility.await;

import dev.probekit.testsupport.ChildProcess;
import dev.probekit.testsupport.ForkedJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo jar running in a child JVM, its output (stdout and stderr) going to a file (a {@link
 * ChildProcess}). Also used by integration-tests (this module's test-jar) for the PostgreSQL
 * scenarios.
 */
public final class DemoProcess implements AutoCloseable {
  private static final Pattern PORTS = Pattern.compile("probekit-demo ports app=(\\d+) probe=(\\d+)");
  private static final Pattern PROBE_PORT = Pattern.compile("probekit-demo ports probe=(\\d+)");

  /** The child JVM. */
  public final Process process;
  private final ChildProcess child;
  private volatile int appPort = -1;
  private volatile int probePort = -1;

  private DemoProcess(ChildProcess child) {
    this.child = child;
    this.process = child.process();
  }

  /**
   * Starts the demo jar on random ports, with short drain timings unless {@code settings}
   * override them.
   *
   * @param settings more {@code -Dkey=value} options
   */
  public static DemoProcess start(String... settings) throws IOException {
    return start(Map.of(), settings);
  }

  /**
   * {@link #start(String...)} with more environment variables for the child.
   *
   * @param env variables added to this JVM's environment
   * @param settings more {@code -Dkey=value} options
   */
  public static DemoProcess start(Map<String, String> env, String... settings) throws IOException {
    Path jar = Path.of(System.getProperty("probekit.demo.jar", "target/probekit-demo.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("demo jar not built: " + jar.toAbsolutePath() + " (run mvn package first)");
    }
    List<String> command = new ArrayList<>();
    command.add(ForkedJvm.java());
    command.addAll(
        List.of(
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xmx128m",
            "-Dprobekit.demo.port=0",
            "-Dprobekit.probe.port=0",
            "-Dprobekit.demo.dependency-delay=200ms",
            "-Dprobekit.shutdown.pre-stop-delay=1s",
            "-Dprobekit.shutdown.drain-timeout=5s",
            "-Dprobekit.shutdown.grace-period=8s"));
    // Later -D options win in the JVM, so callers can override the defaults above.
    command.addAll(Arrays.asList(settings));
    command.add("-jar");
    command.add(jar.toString());
    return new DemoProcess(ChildProcess.start("probekit-demo-", command, env));
  }

  /** Waits until the demo printed both ports (it is then serving). */
  public DemoProcess awaitStarted() {
    await("demo start-up").atMost(Duration.ofSeconds(30)).until(() -> aliveOrFail() && parsePorts() && appPort > 0);
    return this;
  }

  /** Waits until the demo printed its probe port (before its dependency wait). */
  public DemoProcess awaitProbePort() {
    await("probe port").atMost(Duration.ofSeconds(30)).until(() -> aliveOrFail() && parsePorts() && probePort > 0);
    return this;
  }

  private boolean parsePorts() {
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

  private boolean aliveOrFail() {
    return child.requireAlive();
  }

  /** The application port, once printed. */
  public int appPort() {
    return appPort;
  }

  /** The probe port, once printed. */
  public int probePort() {
    return probePort;
  }

  /** The lines the child has printed so far. */
  public List<String> lines() {
    return child.lines();
  }

  /** Everything the child has printed so far. */
  public String output() {
    return child.output();
  }

  /** How many printed lines contain {@code fragment}. */
  public long count(String fragment) {
    return child.count(fragment);
  }

  @Override
  public void close() {
    child.close();
  }
}
