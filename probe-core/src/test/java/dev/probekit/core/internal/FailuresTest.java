package dev.probekit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FailuresTest {

  /** A throwable whose every describing method throws. */
  static final class Hostile extends Exception {
    private static final long serialVersionUID = 1L;

    @Override
    public String getMessage() {
      throw new OutOfMemoryError("even this");
    }

    @Override
    public String toString() {
      throw new IllegalStateException("toString");
    }

    @Override
    public synchronized Throwable getCause() {
      throw new IllegalStateException("getCause");
    }
  }

  @Test
  void describesClassAndMessageOrBrieflyTheSimpleName() {
    assertThat(Failures.describe(new IOException("refused"))).isEqualTo("java.io.IOException: refused");
    assertThat(Failures.describeBriefly(new IOException("refused"))).isEqualTo("IOException: refused");
    assertThat(Failures.describe(new NullPointerException())).isEqualTo("java.lang.NullPointerException");
    assertThat(Failures.describe(null)).isEqualTo("unknown error");
  }

  @Test
  void neverThrowsAndFallsBackToTheClassName() {
    assertThat(Failures.describe(new Hostile())).isEqualTo(Hostile.class.getName());
    assertThat(Failures.describeBriefly(new Hostile())).isEqualTo("Hostile");
    // A wrapper whose cause cannot be read is described itself.
    assertThat(Failures.describe(new ExecutionException("outer", new Hostile())))
        .isEqualTo(Hostile.class.getName());
  }

  @Test
  void unwrapsWrappersButNotOrdinaryCausesAndSurvivesCycles() {
    IOException root = new IOException("root");
    assertThat(Failures.describe(new ExecutionException(new CompletionException(root))))
        .isEqualTo("java.io.IOException: root");
    assertThat(Failures.describe(new IllegalStateException("outer", root)))
        .isEqualTo("java.lang.IllegalStateException: outer");
    ExecutionException a = new ExecutionException("a") {};
    CompletionException b = new CompletionException("b", a);
    a.initCause(b);
    assertThat(Failures.describe(a)).matches("java\\.util\\.concurrent\\.\\w+Exception: [ab]|.*FailuresTest\\$1: a");
  }

  @Test
  void masksSecretsKeepsOneLineAndBoundsTheLength() {
    assertThat(Failures.describe(new IOException("for jdbc:pg://h/db?user=a&password=hunter2\nnext")))
        .isEqualTo("java.io.IOException: for jdbc:pg://h/db?user=a&password=**** next");
    String longText = "x".repeat(Failures.MAX_LENGTH - 1) + "\uD83D\uDE00" + "y".repeat(50);
    String cut = Failures.clean(longText);
    assertThat(cut).hasSize(Failures.MAX_LENGTH - 1 + 3).endsWith("x...");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\u0000", "\u0007", "\u001b", "\u007f", "\u0080", "\u0085", "\u009b", "\u009f", "\u2028",
        "\u2029", "\uD800", "\uDC00",
      })
  void replacesEveryControlCharacterAndLoneSurrogate(String c) {
    assertThat(Failures.oneLine("a" + c + "b")).isEqualTo("a\uFFFDb");
  }

  @Test
  void keepsPrintableTextAndSurrogatePairsAndTurnsLineBreaksIntoSpaces() {
    assertThat(Failures.oneLine("caf\u00e9 \u00a0\uD83D\uDE00 ok")).isEqualTo("caf\u00e9 \u00a0\uD83D\uDE00 ok");
    assertThat(Failures.oneLine("a\r\nb\tc")).isEqualTo("a  b c");
    assertThat(Failures.oneLine("end\uD83D")).isEqualTo("end\uFFFD");
  }
}
