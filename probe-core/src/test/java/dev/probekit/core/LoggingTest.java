package dev.probekit.core;

import static dev.probekit.core.HealthFixture.awaitStatus;
import static dev.probekit.core.HealthFixture.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.testkit.SwitchableCheck;
import dev.probekit.testsupport.StderrCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What Probekit logs: a warning when a remote check is put on liveness, and one INFO line per
 * transition. Log lines are captured from System.err, where slf4j-simple writes them.
 */
class LoggingTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  @Test
  void remoteCheckOnLivenessLogsOneWarningNamingIt() {
    HealthRegistry health = fixture.health();
    try (StderrCapture err = new StderrCapture()) {
      health.register(
          "postgres", HealthCheck.remote(() -> CheckResult.up()), CheckOptions.of(Probe.LIVENESS, Probe.READINESS));

      assertThat(err.lines("WARN", "'postgres'", "LIVENESS")).hasSize(1);
    }
  }

  @Test
  void remoteCheckOnReadinessAndLocalCheckOnLivenessLogNoWarning() {
    HealthRegistry health = fixture.health();
    try (StderrCapture err = new StderrCapture()) {
      health.register("postgres", HealthCheck.remote(() -> CheckResult.up()), CheckOptions.of(Probe.READINESS));
      health.register("deadlocks", () -> CheckResult.up(), CheckOptions.of(Probe.LIVENESS));

      assertThat(err.lines("WARN")).isEmpty();
    }
  }

  @Test
  void remoteMarkerDelegatesAndIsOffByDefault() throws Exception {
    HealthCheck local = () -> CheckResult.up("local");
    HealthCheck remote = HealthCheck.remote(local);

    assertThat(local.isRemote()).isFalse();
    assertThat(remote.isRemote()).isTrue();
    assertThat(remote.check().message()).hasValue("local");
    // A user-defined check type can carry the marker itself.
    HealthCheck custom =
        new HealthCheck() {
          @Override
          public CheckResult check() {
            return CheckResult.up();
          }

          @Override
          public boolean isRemote() {
            return true;
          }
        };
    HealthRegistry health = fixture.health();
    try (StderrCapture err = new StderrCapture()) {
      health.register("broker", custom, CheckOptions.of(Probe.LIVENESS));
      assertThat(err.lines("WARN", "'broker'")).hasSize(1);
    }
  }

  @Test
  void eachTransitionIsLoggedOnceAtInfoAndRepeatedResultsAreNot() {
    HealthRegistry health = fixture.health();
    SwitchableCheck check = new SwitchableCheck(CheckResult.up());
    try (StderrCapture err = new StderrCapture()) {
      health.register("flappy", check, CheckOptions.of(Probe.READINESS));
      awaitStatus(health, "flappy", Status.UP);
      check.set(CheckResult.down("connection reset"));
      awaitStatus(health, "flappy", Status.DOWN);
      int runs = check.runs();
      waiting().until(() -> check.runs() >= runs + 5);
      check.set(CheckResult.up());
      awaitStatus(health, "flappy", Status.UP);

      assertThat(err.lines("INFO", "check 'flappy'", "->"))
          .hasSize(3)
          .satisfies(lines -> assertThat(lines.get(1)).contains("UP -> DOWN: connection reset"));
    }
  }
}
