package dev.probekit.core.waits;

import dev.probekit.core.internal.Secrets;
import java.util.List;

/**
 * Thrown by {@link Waits#await()} when dependencies were still unavailable at the deadline, or
 * when the waits were aborted because the service started shutting down. The message names every
 * unmet dependency with its attempts and last error, secrets masked; callers usually log it and
 * exit non-zero.
 */
public final class DependencyWaitException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The names of the dependencies that were not available. */
  private final List<String> unmet;
  /** Whether the waits were aborted rather than timed out. */
  private final boolean aborted;

  DependencyWaitException(String message, List<String> unmet, boolean aborted) {
    // Masked here, whoever built it: the message goes to logs and to the caller's error output.
    super(Secrets.redact(message));
    this.unmet = List.copyOf(unmet);
    this.aborted = aborted;
  }

  /** {@return the names of the dependencies that were not available} */
  public List<String> unmet() {
    return unmet;
  }

  /**
   * Whether the waits were aborted (the service began shutting down, or {@link Waits#close()} was
   * called) rather than timed out.
   *
   * @return {@code true} if aborted, {@code false} if the deadline passed
   */
  public boolean aborted() {
    return aborted;
  }
}
