package dev.probekit.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A long-running child process (a server, a demo, a pod) whose output, stdout and stderr
 * interleaved, goes to a temporary file that tests read while it runs and after it exits.
 *
 * <p>A file rather than a pipe: {@link Process#destroy()} closes the parent's end of the child's
 * pipes, so whatever the child prints while it drains after SIGTERM would be lost. {@link
 * #close()} kills the child if it still runs and deletes the file.
 */
public final class ChildProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private ChildProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command} with its output going to a new temporary file.
   *
   * @param logPrefix the start of the temporary file's name
   * @param command the program and its arguments (see {@link ForkedJvm#command})
   * @return the running child
   * @throws IOException if the file cannot be created or the child cannot be started
   */
  public static ChildProcess start(String logPrefix, List<String> command) throws IOException {
    return start(logPrefix, command, Map.of());
  }

  /**
   * {@link #start(String, List)} with more environment variables for the child.
   *
   * @param logPrefix the start of the temporary file's name
   * @param command the program and its arguments
   * @param env variables added to this JVM's environment for the child
   * @return the running child
   * @throws IOException if the file cannot be created or the child cannot be started
   */
  public static ChildProcess start(String logPrefix, List<String> command, Map<String, String> env)
      throws IOException {
    Path log = Files.createTempFile(logPrefix, ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    try {
      return new ChildProcess(builder.start(), log);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(log);
      throw e;
    }
  }

  /**
   * The child; {@link Process#destroy()} on it sends SIGTERM.
   *
   * @return the process
   */
  public Process process() {
    return process;
  }

  /**
   * Returns true while the child runs; fails, with everything it printed, once it has exited.
   * Meant for Awaitility conditions that wait for a start-up line.
   *
   * @return true
   * @throws IllegalStateException if the child has exited
   */
  public boolean requireAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException("child exited with " + process.exitValue() + ":\n" + output());
    }
    return true;
  }

  /**
   * The lines the child has printed so far.
   *
   * @return the lines, in order
   */
  public List<String> lines() {
    try {
      return Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Everything the child has printed so far.
   *
   * @return its lines joined by newlines
   */
  public String output() {
    return String.join("\n", lines());
  }

  /**
   * The end of what the child has printed so far, for an assertion message.
   *
   * @param chars how many characters at most
   * @return the last {@code chars} characters of {@link #output()}
   */
  public String tail(int chars) {
    String output = output();
    return output.substring(Math.max(0, output.length() - chars));
  }

  /**
   * How many printed lines contain {@code fragment}.
   *
   * @param fragment the text to look for
   * @return the number of lines
   */
  public long count(String fragment) {
    return lines().stream().filter(line -> line.contains(fragment)).count();
  }

  /** Kills the child if it still runs, waits for it to go, and deletes its output file. */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        process.destroyForcibly().waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
