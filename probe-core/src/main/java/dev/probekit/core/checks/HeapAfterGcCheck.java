package dev.probekit.core.checks;

import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * DOWN when the long-lived heap pool (old generation) is fuller than a threshold right after its
 * last collection: that is the live data the application cannot free, unlike the current usage,
 * which is high between collections in any healthy process.
 *
 * <p>Reads {@link MemoryPoolMXBean#getCollectionUsage()}; it does not set the pool's
 * collection-usage threshold, which is JVM-wide state that the application or another check may
 * own.
 */
final class HeapAfterGcCheck implements HealthCheck {
  private final double threshold;
  private final Supplier<List<MemoryPoolMXBean>> pools;

  HeapAfterGcCheck(double threshold, Supplier<List<MemoryPoolMXBean>> pools) {
    this.threshold = threshold;
    this.pools = pools;
  }

  static HeapAfterGcCheck create(double threshold) {
    return new HeapAfterGcCheck(threshold, ManagementFactory::getMemoryPoolMXBeans);
  }

  @Override
  public CheckResult check() {
    MemoryPoolMXBean pool = longLivedPool(pools.get());
    if (pool == null) {
      return CheckResult.up("no old-generation heap pool to measure");
    }
    MemoryUsage afterGc = pool.getCollectionUsage();
    long used = afterGc.getUsed();
    long max = afterGc.getMax();
    if (max <= 0) {
      max = pool.getUsage().getMax();
    }
    if (max <= 0) {
      max = Runtime.getRuntime().maxMemory();
    }
    double occupancy = (double) used / max;
    String percent = String.format(Locale.ROOT, "%.1f%%", occupancy * 100);
    CheckResult result =
        occupancy <= threshold
            ? CheckResult.up()
            : CheckResult.down(
                pool.getName()
                    + " is "
                    + percent
                    + " full after GC (max "
                    + String.format(Locale.ROOT, "%.1f%%", threshold * 100)
                    + ")");
    return result
        .withDetail("pool", pool.getName())
        .withDetail("usedAfterGcBytes", used)
        .withDetail("maxBytes", max)
        .withDetail("occupancy", Math.round(occupancy * 1000) / 1000.0)
        .withDetail("threshold", threshold);
  }

  /**
   * The heap pool that holds long-lived objects, by the names the JDK's collectors give it (the
   * same list as Micrometer's {@code JvmMemory.isLongLivedPool}), or {@code null}.
   */
  static MemoryPoolMXBean longLivedPool(List<MemoryPoolMXBean> pools) {
    for (MemoryPoolMXBean pool : pools) {
      if (pool.getType() == MemoryType.HEAP
          && pool.isValid()
          && pool.isCollectionUsageThresholdSupported()
          && isLongLived(pool.getName())) {
        return pool;
      }
    }
    return null;
  }

  static boolean isLongLived(String name) {
    return name.endsWith("Old Gen") // G1, Parallel, CMS
        || name.endsWith("Tenured Gen") // Serial
        || name.equals("ZHeap") // ZGC, single generation
        || name.equals("ZGC Old Generation") // generational ZGC
        || name.equals("Shenandoah")
        || name.contains("tenured") // OpenJ9 gencon
        || name.endsWith("balanced-old") // OpenJ9 balanced
        || name.equals("JavaHeap"); // OpenJ9 metronome
  }

  @Override
  public String toString() {
    return "Checks.heapAfterGc(" + threshold + ")";
  }
}
