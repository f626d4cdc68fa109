package dev.probekit.core.checks;

import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * DOWN while any threads are deadlocked on monitors or {@code java.util.concurrent} locks; the
 * message names each thread, the lock it waits for and the thread holding it.
 */
final class DeadlockCheck implements HealthCheck {
  private final ThreadMXBean threads;

  DeadlockCheck(ThreadMXBean threads) {
    this.threads = threads;
  }

  static DeadlockCheck create() {
    return new DeadlockCheck(ManagementFactory.getThreadMXBean());
  }

  @Override
  public CheckResult check() {
    // Ownable synchronizers (ReentrantLock and friends) are included when the VM supports it.
    long[] ids =
        threads.isSynchronizerUsageSupported()
            ? threads.findDeadlockedThreads()
            : threads.findMonitorDeadlockedThreads();
    if (ids == null || ids.length == 0) {
      return CheckResult.up();
    }
    List<String> names = new ArrayList<>();
    List<String> waits = new ArrayList<>();
    for (ThreadInfo info : threads.getThreadInfo(ids)) {
      if (info == null) {
        continue; // the thread died since it was found: nothing to name
      }
      names.add(info.getThreadName());
      waits.add(
          '"'
              + info.getThreadName()
              + "\" waits for "
              + info.getLockName()
              + " held by \""
              + info.getLockOwnerName()
              + '"');
    }
    return CheckResult.down(ids.length + " deadlocked threads: " + String.join("; ", waits))
        .withDetail("count", ids.length)
        .withDetail("threads", String.join(", ", names));
  }

  @Override
  public String toString() {
    return "Checks.deadlocks()";
  }
}
