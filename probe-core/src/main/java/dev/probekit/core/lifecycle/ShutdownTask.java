package dev.probekit.core.lifecycle;

/**
 * Work to do once requests have drained: close pools and clients, flush buffers, stop servers.
 * Registered with {@link Lifecycle#addShutdownTask(String, java.time.Duration, ShutdownTask)}.
 *
 * <p>Runs on its own thread with its own timeout; a task that throws or hangs is reported as
 * failed and does not stop the others. It should honour interruption, which is how it learns its
 * timeout has passed.
 */
@FunctionalInterface
public interface ShutdownTask {

  /**
   * Does the work.
   *
   * @throws Exception any failure, reported in the shutdown summary
   */
  void run() throws Exception;
}
