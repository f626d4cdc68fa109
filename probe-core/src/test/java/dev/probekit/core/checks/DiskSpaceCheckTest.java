package dev.probekit.core.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.Status;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DiskSpaceCheckTest {
  @TempDir Path dir;

  @Test
  void isUpWithEnoughFreeSpaceAndReportsTheNumbers() throws Exception {
    HealthCheck check = Checks.diskSpace(dir, 1);
    CheckResult result = check.check();

    assertThat(result.isUp()).isTrue();
    long free = (Long) result.details().get("freeBytes");
    long total = (Long) result.details().get("totalBytes");
    assertThat(free).isPositive().isLessThanOrEqualTo(total);
    assertThat(result.details()).containsEntry("minFreeBytes", 1L).containsEntry("path", dir.toString());
    assertThat(check.isRemote()).isFalse();
  }

  @Test
  void isDownWhenLessThanTheMinimumIsFree() throws Exception {
    CheckResult result = Checks.diskSpace(dir, Long.MAX_VALUE).check();

    assertThat(result.status()).isEqualTo(Status.DOWN);
    assertThat(result.message().orElseThrow())
        .contains(" free on " + dir)
        .endsWith("(expected: >= 8191 PiB)");
  }

  @Test
  void failsForAPathThatDoesNotExist() {
    assertThatThrownBy(() -> Checks.diskSpace(dir.resolve("missing"), 1).check())
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void rejectsANegativeMinimum() {
    assertThatThrownBy(() -> Checks.diskSpace(dir, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minFreeBytes: -1 (expected: >= 0)");
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0 B",
    "1023, 1023 B",
    "1024, 1 KiB",
    "1536, 1536 B",
    "10240, 10 KiB",
    "1073741824, 1 GiB",
    "1610612736, 1536 MiB",
    "9223372036854775807, 8191 PiB",
  })
  void formatsByteCountsForMessages(long bytes, String text) {
    assertThat(DiskSpaceCheck.bytes(bytes)).isEqualTo(text);
  }
}
