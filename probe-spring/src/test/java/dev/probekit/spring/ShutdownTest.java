package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.PreStopReport;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The pre-stop delay runs where it helps: on Kubernetes (Boot's CloudPlatform) or where it is set
 * explicitly. A context closed by a test framework or by Ctrl-C on a laptop closes without waiting.
 * And the shutdown logs no line that implies a failure that did not happen.
 */
@ExtendWith(OutputCaptureExtension.class)
class ShutdownTest {

  private static ConfigurableApplicationContext startReady(String... properties) {
    ConfigurableApplicationContext context =
        PathsTest.start(PathsTest.TomcatApp.class, WebApplicationType.SERVLET, properties);
    String base = PathsTest.base(context);
    await().atMost(Duration.ofSeconds(15)).until(() -> Http.get(base, "/readyz").statusCode() == 200);
    return context;
  }

  @Test
  void offKubernetesTheContextClosesWithoutThePreStopDelay(CapturedOutput output) {
    ConfigurableApplicationContext context = startReady();
    Lifecycle lifecycle = context.getBean(Lifecycle.class);
    assertThat(lifecycle.preStopDelay()).isZero();
    long t0 = System.nanoTime();
    context.close();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(took).isLessThan(Duration.ofSeconds(3));
    assertThat(output)
        .contains("pre-stop delay PT0S (not on Kubernetes and probekit.shutdown.pre-stop-delay not set)")
        // Not on Kubernetes: no advice about the probe port.
        .doesNotContain("Set probekit.server.port");
    assertNoMisleadingLines(output);
  }

  @Test
  void onKubernetesThePreStopDelayRunsAndTheMainPortOnlySetupIsWarnedAbout(CapturedOutput output) {
    ConfigurableApplicationContext context = startReady("spring.main.cloud-platform=kubernetes");
    Lifecycle lifecycle = context.getBean(Lifecycle.class);
    assertThat(lifecycle.preStopDelay()).isEqualTo(Lifecycle.DEFAULT_PRE_STOP_DELAY);
    assertThat(output)
        .containsOnlyOnce("Set probekit.server.port")
        .contains("/livez times out and the kubelet restarts the pod");
    long t0 = System.nanoTime();
    context.close();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(took).isGreaterThanOrEqualTo(Lifecycle.DEFAULT_PRE_STOP_DELAY);
    assertThat(lifecycle.summary().orElseThrow().phaseDurations().get(DrainPhase.PRE_STOP_DELAY))
        .isGreaterThanOrEqualTo(Duration.ofMillis(4900));
    assertNoMisleadingLines(output);
  }

  @Test
  void anExplicitPreStopDelayRunsEverywhere() {
    ConfigurableApplicationContext context = startReady("probekit.shutdown.pre-stop-delay=700ms");
    Lifecycle lifecycle = context.getBean(Lifecycle.class);
    assertThat(lifecycle.preStopDelay()).isEqualTo(Duration.ofMillis(700));
    long t0 = System.nanoTime();
    context.close();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
  }

  @Test
  void theAdaptivePreStopSettingsReachTheLifecycleAndEndTheStepEarly(CapturedOutput output) {
    ConfigurableApplicationContext context =
        startReady(
            "spring.main.cloud-platform=kubernetes",
            "probekit.shutdown.pre-stop-delay=8s",
            "probekit.shutdown.pre-stop-min=200ms",
            "probekit.shutdown.pre-stop-quiet-period=300ms");
    Lifecycle lifecycle = context.getBean(Lifecycle.class);
    assertThat(lifecycle.preStopDelay()).isEqualTo(Duration.ofSeconds(8));
    assertThat(lifecycle.preStopMin()).isEqualTo(Duration.ofMillis(200));
    assertThat(lifecycle.preStopQuietPeriod()).isEqualTo(Duration.ofMillis(300));
    assertThat(output).contains("pre-stop delay PT0.2S..PT8S (ends after PT0.3S without requests)");
    long t0 = System.nanoTime();
    context.close();
    // No request arrives: the step ends one quiet period in, far before the 8 s maximum.
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    PreStopReport report = lifecycle.summary().orElseThrow().preStop().orElseThrow();
    assertThat(report.ending()).isEqualTo(PreStopReport.Ending.QUIET);
    assertThat(report.duration()).isBetween(Duration.ofMillis(290), Duration.ofSeconds(4));
  }

  @Test
  void offKubernetesTheAdaptiveSettingsDoNotTurnTheZeroDelayIntoAnError() {
    ConfigurableApplicationContext context = startReady("probekit.shutdown.pre-stop-quiet-period=1s");
    Lifecycle lifecycle = context.getBean(Lifecycle.class);
    assertThat(lifecycle.preStopDelay()).isZero();
    assertThat(lifecycle.preStopQuietPeriod()).isZero();
    context.close();
  }

  @Test
  void onKubernetesWithAProbePortThereIsNoWarning(CapturedOutput output) {
    ConfigurableApplicationContext context =
        startReady(
            "spring.main.cloud-platform=kubernetes",
            "probekit.server.port=0",
            "probekit.server.address=127.0.0.1",
            "probekit.serve-on-main-port=true",
            "probekit.shutdown.pre-stop-delay=0s");
    context.close();
    assertThat(output)
        .doesNotContain("Set probekit.server.port")
        .containsPattern("on the probe port at http://127\\.0\\.0\\.1:\\d+/\\{livez,readyz,startupz,healthz\\}");
  }

  private static void assertNoMisleadingLines(CapturedOutput output) {
    String out = output.getAll();
    // At start-up the probes are held DOWN while Spring starts, and the line says so.
    assertThat(out).doesNotContainPattern("startup probe UP -> DOWN(?! \\(held: starting\\))");
    // At shutdown: readiness goes DOWN because of the drain; nothing else changes.
    String shutdown = out.substring(out.lastIndexOf("Probekit probes served"));
    assertThat(shutdown)
        .doesNotContain("startup probe")
        .doesNotContain("liveness probe")
        .doesNotContain("reason withheld")
        // Boot's own REFUSING_TRAFFIC at context close, or the drain's "shutting down".
        .containsPattern("readiness probe UP -> DOWN \\(held: (refusing traffic|shutting down)")
        // Task executors join the drain as participants, listed between requests and tasks.
        .containsPattern("requests drained=0, abandoned=0, (participants \\[[^\\]]*\\], )?tasks failed=0");
  }
}
