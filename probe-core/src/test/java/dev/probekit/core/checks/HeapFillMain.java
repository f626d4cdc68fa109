package dev.probekit.core.checks;

import dev.probekit.core.HealthCheck;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Run by {@link HeapAfterGcCheckTest} in a small-heap child JVM: fills the old generation to about
 * 65% with live data, collects, and prints the check's verdict; then frees it, collects, and prints
 * it again.
 */
public final class HeapFillMain {

  public static void main(String[] args) throws Exception {
    HealthCheck check = Checks.heapAfterGc(0.5);
    MemoryPoolMXBean old = HeapAfterGcCheck.longLivedPool(ManagementFactory.getMemoryPoolMXBeans());
    if (old == null) {
      System.out.println("FAIL no old-generation pool");
      System.exit(1);
    }
    long target = old.getUsage().getMax() * 65 / 100;
    List<byte[]> live = new ArrayList<>();
    for (long held = 0; held < target; held += 64 * 1024) {
      live.add(new byte[64 * 1024]);
    }
    System.gc(); // a full collection: everything still referenced ends up in the old generation
    System.out.println("FULL " + check.check() + " held=" + live.size());

    live.clear();
    System.gc();
    System.out.println("EMPTY " + check.check());
  }

  private HeapFillMain() {}
}
