package dev.probekit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest(name = "\"{0}\" = {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "500ms | PT0.5S",
        "5s | PT5S",
        "1m | PT1M",
        "2h | PT2H",
        "1d | PT24H",
        "250 | PT0.25S",
        "0 | PT0S",
        "0s | PT0S",
        "'  5s  ' | PT5S",
        "5 s | PT5S",
        "5S | PT5S",
        "10MS | PT0.01S",
        "10us | PT0.00001S",
        "100ns | PT0.0000001S",
        "PT5S | PT5S",
        "pt1m30s | PT1M30S",
        "P1D | PT24H",
        "999999999999ms | PT277777H46M39.999S",
      })
  void parsesHumanAndIsoDurations(String text, Duration expected) {
    assertThat(Durations.parse(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "   ", "-5s", "5x", "s", "ms", "5.5s", "1,5s", "PT-5S", "P", "PT", "1234567890123s",
        "5 ms extra", "five", "5s5", "+5s", "0x10"})
  void rejectsAnythingElseNamingTheValue(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'")
        .hasMessageContaining("expected: such as 500ms, 5s, 1m");
  }

  @ParameterizedTest
  @NullSource
  void rejectsNull(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "PT2S, 2s",
    "PT1.5S, 1500ms",
    "PT0.05S, 50ms",
    "PT1M, 1m",
    "PT90S, 90s",
    "PT1H, 60m",
    "PT0S, 0ms",
    "PT0.0005S, 500us",
  })
  void formatsTheWayAPersonWrites(Duration duration, String expected) {
    assertThat(Durations.format(duration)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"PT0S", "PT0.001S", "PT0.05S", "PT2S", "PT1.5S", "PT1M", "PT90S", "PT1H", "PT0.0005S", "PT36H"})
  void formattedDurationsParseBackToThemselves(Duration duration) {
    assertThat(Durations.parse(Durations.format(duration))).isEqualTo(duration);
  }
}
