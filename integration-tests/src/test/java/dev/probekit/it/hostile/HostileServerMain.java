package dev.probekit.it.hostile;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one {@link Target} in a child JVM: prints {@code PORT <n>} once it serves, samples its heap
 * and direct memory every 20 ms, and when its stdin closes prints {@code PEAK heap=<bytes>
 * direct=<bytes>}, stops the server and exits 0. Started with a small heap by the suite's flood
 * scenario and {@code -XX:+ExitOnOutOfMemoryError}, so running out of memory ends it with exit 3.
 */
public final class HostileServerMain {
  private HostileServerMain() {}

  /** {@code args[0]}: the {@link Target} name. */
  public static void main(String[] args) throws Exception {
    Target target = Target.valueOf(args[0]);
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    BufferPoolMXBean direct =
        ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(pool -> pool.getName().equals("direct"))
            .findFirst()
            .orElseThrow();
    AtomicLong peakHeap = new AtomicLong();
    AtomicLong peakDirect = new AtomicLong();
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                peakDirect.accumulateAndGet(direct.getMemoryUsed(), Math::max);
                try {
                  Thread.sleep(20); // a sampling period, not a wait for a condition
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "memory-sampler");
    sampler.setDaemon(true);
    sampler.start();
    try (Target.Running server = target.start()) {
      System.out.println("PORT " + server.address().getPort());
      System.out.flush();
      while (System.in.read() >= 0) {
        // Runs until the parent closes our stdin.
      }
      System.out.println("PEAK heap=" + peakHeap.get() + " direct=" + peakDirect.get());
      System.out.flush();
    }
    System.exit(0);
  }
}
