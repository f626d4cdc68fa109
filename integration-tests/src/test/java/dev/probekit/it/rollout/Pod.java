package dev.probekit.it.rollout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM playing a pod: started, its ports read from its output ({@code ... ports app=N
 * probe=M}, as the demo prints them), stopped by SIGTERM.
 */
final class Pod {
  private static final Pattern PORTS = Pattern.compile("ports app=(\\d+) probe=(\\d+)");

  final String name;
  private final Process process;
  private final List<String> output = Collections.synchronizedList(new ArrayList<>());
  private final CompletableFuture<int[]> ports = new CompletableFuture<>();
  private volatile long sigtermAt;
  private volatile long exitedAt;

  private Pod(String name, Process process) {
    this.name = name;
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  output.add(line);
                  Matcher m = PORTS.matcher(line);
                  if (m.find()) {
                    ports.complete(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
                  }
                }
              } catch (IOException e) {
                // The process is gone; its exit code tells the rest.
              }
              ports.completeExceptionally(new IllegalStateException(name + " printed no ports"));
            },
            name + "-output");
    reader.setDaemon(true);
    reader.start();
    process.onExit().thenRun(() -> exitedAt = System.nanoTime());
  }

  static Pod start(String name, List<String> command) throws IOException {
    return start(name, command, java.util.Map.of());
  }

  /** {@link #start(String, List)} with more environment variables. */
  static Pod start(String name, List<String> command, java.util.Map<String, String> env) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    return new Pod(name, builder.start());
  }

  /** Waits for the ports line; {@code [app, probe]}. */
  int[] ports(long timeoutSeconds) throws Exception {
    return ports.get(timeoutSeconds, TimeUnit.SECONDS);
  }

  int appPort() {
    return ports.join()[0];
  }

  int probePort() {
    return ports.join()[1];
  }

  /** Marks the start of termination (the kubelet's preStop hook, or else SIGTERM). */
  void terminating() {
    if (sigtermAt == 0) {
      sigtermAt = System.nanoTime();
    }
  }

  /** SIGTERM, as the kubelet sends it (Process.destroy() is SIGTERM on Unix). */
  void sigterm() {
    terminating();
    process.destroy();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Waits for exit; the exit code. */
  int awaitExit(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      return Integer.MIN_VALUE;
    }
    return process.exitValue();
  }

  /** Milliseconds from the start of termination to exit. */
  long terminationMillis() {
    return (exitedAt - sigtermAt) / 1_000_000;
  }

  void kill() {
    process.destroyForcibly();
  }

  List<String> output() {
    synchronized (output) {
      return new ArrayList<>(output);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
