package dev.probekit.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Captures what is written to {@code System.err} while open, still passing it through.
 *
 * <p>slf4j-simple, the test binding, writes to whatever {@code System.err} is at the time of each
 * log call (its default target is not cached), so swapping the stream captures log lines from
 * every thread without a logging-framework-specific appender.
 */
public final class StderrCapture implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  /** Starts capturing: {@code System.err} is replaced until {@link #close()}. */
  public StderrCapture() {
    OutputStream tee =
        new OutputStream() {
          @Override
          public void write(int b) {
            synchronized (captured) {
              captured.write(b);
            }
            original.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            synchronized (captured) {
              captured.write(b, off, len);
            }
            original.write(b, off, len);
          }
        };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  /**
   * The captured lines that contain every one of {@code parts}.
   *
   * @param parts the fragments a line must contain
   * @return the matching lines, in order
   */
  public List<String> lines(String... parts) {
    String text;
    synchronized (captured) {
      text = captured.toString(StandardCharsets.UTF_8);
    }
    return text.lines()
        .filter(line -> {
          for (String part : parts) {
            if (!line.contains(part)) {
              return false;
            }
          }
          return true;
        })
        .collect(Collectors.toList());
  }

  /** Puts the original {@code System.err} back. */
  @Override
  public void close() {
    System.setErr(original);
  }
}
