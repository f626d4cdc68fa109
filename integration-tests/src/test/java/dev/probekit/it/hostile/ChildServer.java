package dev.probekit.it.hostile;

import dev.probekit.testsupport.ForkedJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A {@link Target} served by {@link HostileServerMain} in a child JVM. */
final class ChildServer implements AutoCloseable {
  private final Process process;
  private final StringBuilder output = new StringBuilder();
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final Thread reader;

  ChildServer(Target target, List<String> jvmArgs) throws IOException {
    List<String> options = new ArrayList<>();
    options.add("-XX:+ExitOnOutOfMemoryError");
    options.addAll(jvmArgs);
    List<String> command =
        ForkedJvm.command(ForkedJvm.testClasspath(), options, HostileServerMain.class, target.name());
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  synchronized (output) {
                    output.append(line).append('\n');
                  }
                  if (line.startsWith("PORT ")) {
                    port.complete(Integer.parseInt(line.substring(5).trim()));
                  }
                }
              } catch (IOException e) {
                // The child is gone; its exit code tells the rest.
              }
              port.completeExceptionally(new IllegalStateException("child exited:\n" + output()));
            },
            "child-output");
    reader.start();
  }

  /** Where the child serves, once it does (waits up to 60 s). */
  InetSocketAddress address() throws Exception {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port.get(60, TimeUnit.SECONDS));
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The child's threads, for a failure message. */
  String threadDump() throws Exception {
    Process jcmd =
        new ProcessBuilder(
                Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()),
                "Thread.print")
            .redirectErrorStream(true)
            .start();
    String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    jcmd.waitFor(10, TimeUnit.SECONDS);
    return dump;
  }

  String output() {
    synchronized (output) {
      return output.toString();
    }
  }

  /** Closes the child's stdin, so it prints its peaks and exits; returns its exit code. */
  int stop() throws Exception {
    process.getOutputStream().close();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError("child did not stop:\n" + output());
    }
    reader.join(5_000);
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
