package dev.probekit.spring;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.Probe;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.context.annotation.Bean;

/** Application configurations shared by the tests. */
final class TestApps {

  private TestApps() {}

  /** A switch a test flips to make the "switch" check fail. */
  static final class Switch {
    final AtomicBoolean up = new AtomicBoolean(true);
  }

  /**
   * Checks: "db" (plain HealthCheck bean, readiness by default), "switch" (ProbekitCheck on
   * readiness, controlled by {@link Switch}), "cache" (optional, always DOWN), "heartbeat"
   * (liveness).
   */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Checks {

    @Bean
    HealthCheck db() {
      return () -> CheckResult.up();
    }

    @Bean
    Switch checkSwitch() {
      return new Switch();
    }

    @Bean
    ProbekitCheck switchCheck(Switch s) {
      return ProbekitCheck.of(
          "switch",
          () -> s.up.get() ? CheckResult.up() : CheckResult.down("switched off (secret=hunter2)"),
          CheckOptions.builder(Probe.READINESS).interval(Duration.ofMillis(50)).build());
    }

    @Bean
    ProbekitCheck cache() {
      return ProbekitCheck.of(
          "cache", () -> CheckResult.down("cache cold"), CheckOptions.of(Probe.READINESS));
    }

    @Bean
    ProbekitCheck heartbeat() {
      return ProbekitCheck.of("heartbeat", () -> CheckResult.up(), Probe.LIVENESS);
    }
  }
}
