package dev.probekit.core.checks;

import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** DOWN when the file store holding a path has less usable space than a minimum. */
final class DiskSpaceCheck implements HealthCheck {
  private final Path path;
  private final long minFreeBytes;

  DiskSpaceCheck(Path path, long minFreeBytes) {
    this.path = path;
    this.minFreeBytes = minFreeBytes;
  }

  @Override
  public CheckResult check() throws Exception {
    FileStore store = Files.getFileStore(path);
    long free = store.getUsableSpace();
    long total = store.getTotalSpace();
    CheckResult result =
        free >= minFreeBytes
            ? CheckResult.up()
            : CheckResult.down(
                bytes(free) + " free on " + path + " (expected: >= " + bytes(minFreeBytes) + ")");
    return result
        .withDetail("path", path.toString())
        .withDetail("freeBytes", free)
        .withDetail("totalBytes", total)
        .withDetail("minFreeBytes", minFreeBytes);
  }

  /** {@code 512 B}, {@code 3 MiB}, {@code 12 GiB}: rounded down, for messages. */
  static String bytes(long n) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int unit = 0;
    long value = n;
    // Keep four digits of precision, or step up when the next unit is exact (1 GiB, not 1024 MiB).
    while (value >= 10 * 1024 || (value >= 1024 && value % 1024 == 0)) {
      value /= 1024;
      unit++;
    }
    return value + " " + units[unit];
  }

  @Override
  public String toString() {
    return "Checks.diskSpace(" + path + ", " + minFreeBytes + ")";
  }
}
