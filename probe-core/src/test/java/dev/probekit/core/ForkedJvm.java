package dev.probekit.core;

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

/** Runs a main class in a child JVM, bounded in time, and collects its exit code and output. */
public final class ForkedJvm {

  /** What the child did. */
  public static final class Result {
    public final int exitCode;
    public final String output;

    Result(int exitCode, String output) {
      this.exitCode = exitCode;
      this.output = output;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + ":\n" + output;
    }
  }

  private ForkedJvm() {}

  /** The test JVM's own classpath entries (surefire sets java.class.path to the real one). */
  public static List<String> testClasspath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.isEmpty())
        .collect(Collectors.toList());
  }

  /** The test classpath entries whose file or directory name passes {@code keep}. */
  public static List<String> testClasspath(Predicate<Path> keep) {
    return testClasspath().stream()
        .filter(entry -> keep.test(Paths.get(entry)))
        .collect(Collectors.toList());
  }

  /**
   * Runs {@code main} with {@code classpath} and {@code jvmArgs}; kills it after {@code
   * timeoutSeconds}.
   */
  public static Result run(
      List<String> classpath, List<String> jvmArgs, Class<?> main, long timeoutSeconds)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    // Start-up speed matters more than peak speed for these short children.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Xshare:auto");
    command.addAll(jvmArgs);
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
      throw new AssertionError(
          main.getSimpleName() + " did not exit within " + timeoutSeconds + "s: " + command);
    }
    return new Result(process.exitValue(), output.join());
  }
}
