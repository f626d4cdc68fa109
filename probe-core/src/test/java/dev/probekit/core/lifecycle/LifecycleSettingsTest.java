package dev.probekit.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.probekit.core.HealthRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Lifecycle settings from system properties and environment variables. */
class LifecycleSettingsTest {
  private final HealthRegistry health = HealthRegistry.builder().build();

  @AfterEach
  void close() {
    health.close();
  }

  private Lifecycle configure(Map<String, String> sys, Map<String, String> env) {
    return Lifecycle.builder(health).configure(sys, env).build();
  }

  @ParameterizedTest(name = "{0} -> {1} ms")
  @CsvSource({
    "500ms, 500",
    "5s, 5000",
    "1m, 60000",
    "0, 0",
    "0s, 0",
    "' 2s ', 2000",
    "1500MS, 1500",
    "PT3S, 3000",
  })
  void parsesDurationsWithUnits(String value, long millis) {
    Lifecycle lifecycle = configure(Map.of("probekit.shutdown.pre-stop-delay", value), Map.of());
    assertThat(lifecycle.preStopDelay()).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "''{0}'' is rejected")
  @ValueSource(strings = {"abc", "5", "-1s", "5 seconds", "", "1.5s", "s", "PT-1S", "10x"})
  void rejectsValuesThatAreNotDurationsNamingKeyAndValue(String value) {
    assertThatThrownBy(() -> configure(Map.of("probekit.shutdown.drain-timeout", value), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("system property probekit.shutdown.drain-timeout")
        .hasMessageContaining("'" + value + "'")
        .hasMessageContaining("500ms, 5s, 1m");
  }

  @Test
  void readsEnvironmentVariablesUnderUpperCaseNames() {
    Lifecycle lifecycle =
        configure(
            Map.of(),
            Map.of(
                "PROBEKIT_SHUTDOWN_PRE_STOP_DELAY", "1s",
                "PROBEKIT_SHUTDOWN_DRAIN_TIMEOUT", "7s",
                "PROBEKIT_SHUTDOWN_GRACE_PERIOD", "1m"));
    assertThat(lifecycle.preStopDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(lifecycle.drainTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(lifecycle.gracePeriod()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void systemPropertyWinsOverEnvironmentVariable() {
    Lifecycle lifecycle =
        configure(
            Map.of("probekit.shutdown.pre-stop-delay", "2s"),
            Map.of("PROBEKIT_SHUTDOWN_PRE_STOP_DELAY", "9s"));
    assertThat(lifecycle.preStopDelay()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void invalidEnvironmentVariableIsNamedInTheMessage() {
    assertThatThrownBy(() -> configure(Map.of(), Map.of("PROBEKIT_SHUTDOWN_GRACE_PERIOD", "30")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("environment variable PROBEKIT_SHUTDOWN_GRACE_PERIOD")
        .hasMessageContaining("'30'");
  }

  @Test
  void valueTheBuilderRejectsIsReportedWithItsKey() {
    assertThatThrownBy(() -> configure(Map.of("probekit.shutdown.grace-period", "0s"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("system property probekit.shutdown.grace-period")
        .hasMessageContaining("'0s'");
  }

  @Test
  void safetyMarginNotShorterThanGracePeriodNamesBothSettings() {
    assertThatThrownBy(() -> configure(Map.of("probekit.shutdown.grace-period", "2s"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("probekit.shutdown.safety-margin")
        .hasMessageContaining("probekit.shutdown.grace-period")
        .hasMessageContaining("2s");
  }

  @Test
  void unsetSettingsKeepDefaultsAndCodeValues() {
    Lifecycle lifecycle =
        Lifecycle.builder(health)
            .drainTimeout(Duration.ofSeconds(3))
            .configure(Map.of("unrelated", "x"), Map.of("PATH", "/bin"))
            .build();
    assertThat(lifecycle.preStopDelay()).isEqualTo(Lifecycle.DEFAULT_PRE_STOP_DELAY);
    assertThat(lifecycle.drainTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(lifecycle.gracePeriod()).isEqualTo(Lifecycle.DEFAULT_GRACE_PERIOD);
  }

  @Test
  void laterCallsWinBetweenCodeAndSettings() {
    Map<String, String> sys = Map.of("probekit.shutdown.drain-timeout", "4s");
    assertThat(
            Lifecycle.builder(health)
                .drainTimeout(Duration.ofSeconds(9))
                .configure(sys, Map.of())
                .build()
                .drainTimeout())
        .isEqualTo(Duration.ofSeconds(4));
    assertThat(
            Lifecycle.builder(health)
                .configure(sys, Map.of())
                .drainTimeout(Duration.ofSeconds(9))
                .build()
                .drainTimeout())
        .isEqualTo(Duration.ofSeconds(9));
  }

  @Test
  void fromEnvironmentReadsRealSystemProperties() {
    String key = Lifecycle.PRE_STOP_DELAY_PROPERTY;
    String before = System.getProperty(key);
    System.setProperty(key, "750ms");
    try {
      assertThat(Lifecycle.builder(health).fromEnvironment().build().preStopDelay())
          .isEqualTo(Duration.ofMillis(750));
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }
}
