package dev.probekit.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Runs a main class in a child JVM, bounded in time, and collects its exit code and output; also
 * builds the command line for a child that runs longer (see {@link ChildProcess}).
 *
 * <p>Tests use a child JVM where the test JVM cannot prove the point: a classpath without an
 * optional dependency, a small heap, a real SIGTERM, a log level set before logging starts.
 */
public final class ForkedJvm {

  /**
   * What a child that ran to its end did.
   *
   * @param exitCode the child's exit code
   * @param output what it wrote to stdout and stderr, interleaved
   */
  public record Result(int exitCode, String output) {
    @Override
    public String toString() {
      return "exit " + exitCode + ":\n" + output;
    }
  }

  private ForkedJvm() {}

  /**
   * The {@code java} launcher of the JVM running the tests.
   *
   * @return its absolute path
   */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The test JVM's classpath as one string (surefire sets {@code java.class.path} to the real
   * one, not to its booter jar).
   *
   * @return the classpath, entries separated by {@link File#pathSeparator}
   */
  public static String testClasspathString() {
    return System.getProperty("java.class.path");
  }

  /**
   * The test JVM's classpath entries.
   *
   * @return the entries, in order
   */
  public static List<String> testClasspath() {
    return Arrays.stream(testClasspathString().split(File.pathSeparator))
        .filter(entry -> !entry.isEmpty())
        .collect(Collectors.toList());
  }

  /**
   * The test classpath entries that pass {@code keep}.
   *
   * @param keep given each entry as a path
   * @return the entries kept, in order
   */
  public static List<String> testClasspath(Predicate<Path> keep) {
    return testClasspath().stream()
        .filter(entry -> keep.test(Path.of(entry)))
        .collect(Collectors.toList());
  }

  /**
   * Whether {@code entry} is the tested module's own {@code target/classes} or {@code
   * target/test-classes} (surefire runs in the module's directory). A check by file name alone
   * would also match another reactor module's {@code classes} directory, such as this module's
   * when a build stops before packaging it.
   *
   * @param entry a classpath entry
   * @return true for the module's main or test output directory
   */
  public static boolean isModuleOutput(Path entry) {
    Path target = Path.of("").toAbsolutePath().resolve("target");
    Path absolute = entry.toAbsolutePath().normalize();
    return absolute.equals(target.resolve("classes")) || absolute.equals(target.resolve("test-classes"));
  }

  /**
   * The module's own output directories ({@link #isModuleOutput}) and the test classpath's jars
   * whose file name starts with one of {@code jarPrefixes}: the smallest classpath that proves the
   * module runs with those dependencies only.
   *
   * @param jarPrefixes file name starts such as {@code "slf4j-api-"}
   * @return the entries kept, in classpath order
   */
  public static List<String> moduleClasspath(String... jarPrefixes) {
    return testClasspath(
        entry -> {
          String name = entry.getFileName().toString();
          return isModuleOutput(entry) || Arrays.stream(jarPrefixes).anyMatch(name::startsWith);
        });
  }

  /**
   * The command that runs {@code main} in a child JVM: this JVM's launcher, {@code jvmArgs},
   * {@code classpath}, {@code main}, then {@code args}.
   *
   * @param classpath the child's classpath entries
   * @param jvmArgs options for the child JVM (later {@code -D} options win over earlier ones)
   * @param main the class whose {@code main} method the child runs
   * @param args the arguments to {@code main}
   * @return a new, mutable list
   */
  public static List<String> command(
      List<String> classpath, List<String> jvmArgs, Class<?> main, String... args) {
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(String.join(File.pathSeparator, classpath));
    command.add(main.getName());
    command.addAll(Arrays.asList(args));
    return command;
  }

  /**
   * Runs {@code main} with {@code classpath} and {@code jvmArgs} to its end, tuned for a short
   * child (C1 only, class data sharing where available), and kills it after {@code
   * timeoutSeconds}.
   *
   * @param classpath the child's classpath entries
   * @param jvmArgs more options for the child JVM (a heap size, system properties...)
   * @param main the class whose {@code main} method the child runs
   * @param timeoutSeconds how long the child may run
   * @return its exit code and output
   * @throws AssertionError if the child is still running after {@code timeoutSeconds}
   * @throws IOException if the child cannot be started
   * @throws InterruptedException if interrupted while waiting for the child
   */
  public static Result run(
      List<String> classpath, List<String> jvmArgs, Class<?> main, long timeoutSeconds)
      throws IOException, InterruptedException {
    List<String> options = new ArrayList<>();
    // Start-up speed matters more than peak speed for these short children.
    options.add("-XX:TieredStopAtLevel=1");
    options.add("-Xshare:auto");
    options.addAll(jvmArgs);
    List<String> command = command(classpath, options, main);
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
