package dev.probekit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PercentDecodingTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "db | db",
        "%41%62c | Abc",
        "%e2%82%ac | \u20ac",
        "%E2%82%AC | \u20ac",
        "%F0%9F%98%80 | \ud83d\ude00",
        "%2B | +",
        "a%20b | a b",
        "%25 | %",
        "%2525 | %25",
        "\u00e9%41 | \u00e9A",
        "\ud83d\ude00%41 | \ud83d\ude00A",
      })
  void decodesUtf8Escapes(String raw, String expected) {
    assertThat(PercentDecoding.decode(raw, false)).isEqualTo(expected);
    assertThat(PercentDecoding.decode(raw, true)).isEqualTo(expected);
  }

  @Test
  void plusIsASpaceOnlyWhenAsked() {
    assertThat(PercentDecoding.decode("a+b", true)).isEqualTo("a b");
    assertThat(PercentDecoding.decode("a+b", false)).isEqualTo("a+b");
    assertThat(PercentDecoding.decode("a+%2B", true)).isEqualTo("a +");
  }

  @Test
  void textWithoutEscapesIsReturnedAsIs() {
    String raw = "readiness-check_1.0";
    assertThat(PercentDecoding.decode(raw, true)).isSameAs(raw);
    assertThat(PercentDecoding.decode("", true)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "%", "%4", "a%", "ab%4", "%zz", "%G0", "%0G", "%%", "%-1", "% 1",
        // Non-ASCII digits that Character.digit would accept as hex.
        "%\u0663\u0663", "%\uff11\uff11",
        // Well-formed escapes that are not UTF-8: a lone continuation byte, a truncated sequence,
        // an overlong encoding, an encoded surrogate.
        "%FF", "%80", "%C3%28", "%E2%82", "%C0%AF", "%ED%A0%80",
        // A lone surrogate next to an escape.
        "\ud83d%41",
      })
  void rejectsMalformedEscapesAndNonUtf8(String raw) {
    assertThatThrownBy(() -> PercentDecoding.decode(raw, false)).isInstanceOf(IllegalArgumentException.class);
  }
}
