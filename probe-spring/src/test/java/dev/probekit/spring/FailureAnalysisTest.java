package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Every invalid setting or combination ends start-up with Boot's "APPLICATION FAILED TO START"
 * report, whose Description says what is wrong and whose Action names the property: never a
 * stack trace.
 */
@ExtendWith(OutputCaptureExtension.class)
class FailureAnalysisTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // settings | in the description | the property the action names
        "probekit.details=token | no token is set | probekit.details-token",
        "probekit.actuator.adopt.readiness=nosuch | no Actuator health indicator is named 'nosuch' "
            + "| probekit.actuator.adopt.readiness",
        "probekit.checks.db.probes=readyness | probekit.checks.db.probes "
            + "| probe names are liveness, readiness and startup",
        "probekit.actuator.adopt.readyness=ping | probekit.actuator.adopt "
            + "| probe names are liveness, readiness and startup",
        "probekit.shutdown.pre-stop-delay=10s,probekit.shutdown.drain-timeout=25s "
            + "| do not fit in grace-period | probekit.shutdown.grace-period",
        "probekit.shutdown.drain-timeout=-5s | expected: >= 0 | Change probekit.shutdown.drain-timeout",
        "probekit.shutdown.pre-stop-quiet-period=1s,probekit.shutdown.pre-stop-min=8s "
            + "| pre-stop-min (PT8S) is above pre-stop-delay (PT5S) | Lower probekit.shutdown.pre-stop-min",
        // The default minimum (2 s) above a 1 s maximum, once a quiet period makes it apply.
        "probekit.shutdown.pre-stop-delay=1s,probekit.shutdown.pre-stop-quiet-period=500ms "
            + "| is above pre-stop-delay | Lower probekit.shutdown.pre-stop-min",
        "probekit.shutdown.pre-stop-min=-1s | expected: >= 0 | Change probekit.shutdown.pre-stop-min",
        "probekit.shutdown.pre-stop-quiet-period=-1s | expected: >= 0 "
            + "| Change probekit.shutdown.pre-stop-quiet-period",
        "probekit.details=sometimes | probekit.details | never, always and token",
        "probekit.server.port=70000 | 70000 | Change probekit.server.port",
      })
  void invalidSettingFailsWithAReportNotAStackTrace(
      String settings, String description, String action, CapturedOutput output) {
    SpringApplication app =
        new SpringApplicationBuilder(TestApps.Checks.class)
            .web(WebApplicationType.NONE)
            .properties("spring.main.banner-mode=off")
            .properties(settings.split(","))
            .build();
    assertThatThrownBy(app::run).isNotNull();
    String out = output.getAll();
    assertThat(out).contains("APPLICATION FAILED TO START");
    String report = out.substring(out.indexOf("APPLICATION FAILED TO START"));
    int actionAt = report.indexOf("Action:");
    assertThat(actionAt).as(report).isPositive();
    assertThat(report.substring(0, actionAt)).contains("Description:").contains(description);
    assertThat(report.substring(actionAt)).contains(action);
    // A report, not a stack trace: no "at some.Class.method(...)" frame anywhere in the output.
    assertThat(out).doesNotContainPattern("\\n\\s+at [\\w.$]+\\(");
  }
}
