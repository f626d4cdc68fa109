package dev.probekit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff defaults =
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0, 0.2);

  @Test
  void doublesFromTheInitialDelayUntilTheCap() {
    long[] expected = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
    for (int failures = 1; failures <= expected.length; failures++) {
      assertThat(defaults.delay(failures, 0).toMillis()).as("failure %d", failures).isEqualTo(expected[failures - 1]);
    }
    assertThat(defaults.delay(Integer.MAX_VALUE, 0)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void jitterOnlyShortensAndNeverExceedsTheCap() {
    assertThat(defaults.delay(1, 0.5).toMillis()).isEqualTo(90);
    assertThat(defaults.delay(1, 0.999999).toMillis()).isEqualTo(80);
    assertThat(defaults.delay(20, 0.999999).toMillis()).isEqualTo(4000);
    for (double r = 0; r < 1; r += 0.05) {
      assertThat(defaults.delay(30, r)).isLessThanOrEqualTo(Duration.ofSeconds(5)).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
    }
  }

  @Test
  void multiplierOfOneIsAConstantDelay() {
    Backoff constant = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5), 1.0, 0);
    assertThat(constant.delay(1, 0.3)).isEqualTo(constant.delay(50, 0.7)).isEqualTo(Duration.ofMillis(250));
  }
}
