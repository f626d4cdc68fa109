package dev.probekit.servlet;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Runs a main class in a child JVM with a chosen classpath, bounded in time. */
final class ForkedJvm {
  private ForkedJvm() {}

  /** What the child did. */
  record Result(int exitCode, String output) {}

  /** The test classpath entries (surefire sets java.class.path) whose name passes {@code keep}. */
  static List<String> testClasspath(Predicate<String> keep) {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.isEmpty())
        .filter(entry -> keep.test(Paths.get(entry).getFileName().toString()))
        .collect(Collectors.toList());
  }

  /** Runs {@code main} on {@code classpath}; kills it after {@code timeoutSeconds}. */
  static Result run(List<String> classpath, Class<?> main, long timeoutSeconds)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Start-up speed matters more than peak speed for a short child.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Xmx128m");
    command.add("-cp");
    command.add(String.join(File.pathSeparator, classpath));
    command.add(main.getName());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<String> output =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError(main.getSimpleName() + " did not exit within " + timeoutSeconds + "s");
    }
    return new Result(process.exitValue(), output.join());
  }
}
