package dev.probekit.core.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Names threads {@code prefix-1}, {@code prefix-2}, ... and makes them daemons. */
public final class DaemonThreadFactory implements ThreadFactory {
  private final String prefix;
  private final AtomicInteger count = new AtomicInteger();

  /** @param prefix the thread name prefix, such as {@code "probekit-check"} */
  public DaemonThreadFactory(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public Thread newThread(Runnable task) {
    Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
    // Probe machinery must never keep a JVM alive that the application wants to exit.
    thread.setDaemon(true);
    return thread;
  }
}
