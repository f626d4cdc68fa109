package dev.probekit.core.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.Status;
import dev.probekit.testsupport.ForkedJvm;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HeapAfterGcCheckTest {

  @Test
  void aTinyThresholdIsExceededOnceAnyLiveDataSurvivedACollection() throws Exception {
    System.gc(); // make sure there is a "last collection" of the old generation to read
    CheckResult result = Checks.heapAfterGc(1e-9).check();

    assertThat(result.status()).isEqualTo(Status.DOWN);
    assertThat(result.message().orElseThrow()).contains("full after GC (max 0.0%)");
    assertThat((String) result.details().get("pool"))
        .satisfies(pool -> assertThat(HeapAfterGcCheck.isLongLived(pool)).isTrue());
    assertThat((Long) result.details().get("usedAfterGcBytes")).isPositive();
    assertThat((Long) result.details().get("maxBytes"))
        .isGreaterThanOrEqualTo((Long) result.details().get("usedAfterGcBytes"));
  }

  @Test
  void aFullThresholdIsNeverExceeded() throws Exception {
    HealthCheck check = Checks.heapAfterGc(1.0);
    CheckResult result = check.check();
    assertThat(result.isUp()).isTrue();
    assertThat(check.isRemote()).isFalse();
    assertThat((Double) result.details().get("occupancy")).isBetween(0.0, 1.0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-XX:+UseSerialGC", "-XX:+UseG1GC"})
  void tripsWhenLiveDataFillsASmallHeapAndRecoversWhenItIsFreed(String collector)
      throws Exception {
    ForkedJvm.Result result =
        ForkedJvm.run(
            ForkedJvm.testClasspath(),
            List.of("-Xmx64m", "-Xms64m", collector),
            HeapFillMain.class,
            60);

    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(result.output())
        .as("%s", result)
        .containsPattern("FULL CheckResult\\{DOWN, message=(G1 Old|Tenured) Gen is [5-9]\\d\\.\\d% full")
        .containsPattern("EMPTY CheckResult\\{UP, details=\\{pool=(G1 Old|Tenured) Gen");
  }

  @ParameterizedTest
  @CsvSource({
    "G1 Old Gen, true",
    "PS Old Gen, true",
    "Tenured Gen, true",
    "ZHeap, true",
    "ZGC Old Generation, true",
    "Shenandoah, true",
    "tenured-SOA, true",
    "G1 Eden Space, false",
    "G1 Survivor Space, false",
    "Eden Space, false",
    "ZGC Young Generation, false",
    "Metaspace, false",
  })
  void recognisesTheLongLivedPoolOfEachCollector(String pool, boolean longLived) {
    assertThat(HeapAfterGcCheck.isLongLived(pool)).isEqualTo(longLived);
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.0, -0.1, 1.01, Double.NaN})
  void rejectsAThresholdOutsideZeroToOne(double threshold) {
    assertThatThrownBy(() -> Checks.heapAfterGc(threshold))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(expected: > 0 and <= 1)");
  }
}
