package dev.probekit.it.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.examples.DemoProcess;
import dev.probekit.it.KubeletProbe;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rolling updates of the demo behind a real balancer: HAProxy (Debian's package; {@code
 * .ci/install-haproxy}) health-checks each pod's {@code /readyz} every 300 ms ({@code fall 2, rise
 * 1}) and routes keep-alive {@link LoadClient} load. Each rollout starts a new pod, puts it in
 * service once it is ready, SIGTERMs the oldest and waits for it to exit. The pods run with a
 * pre-stop maximum of 10 s ({@code -Dprobekit.shutdown.pre-stop-delay=10s}); the adaptive runs add
 * {@code PROBEKIT_SHUTDOWN_PRE_STOP_MIN=1s} and {@code PROBEKIT_SHUTDOWN_PRE_STOP_QUIET_PERIOD=1s}.
 *
 * <p>Measured and printed ({@code [haproxy ...]} lines): per old pod, SIGTERM to exit and when
 * HAProxy last routed a request to it (from its stats); the total rollout time. Adaptive: no
 * request lost, each old pod gone in a few seconds. Fixed: no request lost, each old pod serves
 * nothing for most of the 10 s.
 */
class HaproxyRolloutIT {
  private static final int REPLICAS = 2;
  private static final Duration MAX = Duration.ofSeconds(10);

  private final List<DemoProcess> pods = new ArrayList<>();
  private final List<LoadClient> clients = new ArrayList<>();
  private Haproxy haproxy;

  @AfterEach
  void tearDown() throws Exception {
    for (LoadClient c : clients) {
      c.close();
    }
    for (DemoProcess p : pods) {
      p.close();
    }
    if (haproxy != null) {
      haproxy.close();
    }
  }

  @Test
  void adaptivePreStopLosesNoRequestAndOldPodsExitInAFewSeconds() throws Exception {
    Run run = rollout(true, 2);

    assertThat(run.failures).as("failed client requests").isEmpty();
    for (Old old : run.olds) {
      assertThat(old.exit).as(old.name + " exit code").isZero();
      // Quiet 1 s after HAProxy stopped routing (~0.3 to 0.9 s), then the drain: far below 10 s.
      assertThat(old.sigtermToExitMillis).as(old.name + " SIGTERM to exit, ms").isLessThan(6_000);
      assertThat(old.summary).as(old.name + " summary").contains("pre-stop ended=quiet");
      // HAProxy saw /readyz 503 at least fall=2 times before taking the pod out.
      assertThat(figure(old.summary, "readiness 503s")).as(old.name + " readiness 503s").isGreaterThanOrEqualTo(2);
      // Requests HAProxy routed after SIGTERM were served (Connection: close) and counted.
      assertThat(figure(old.summary, "arrivals")).as(old.name + " arrivals").isPositive();
    }
  }

  @Test
  void fixedPreStopDelayAlsoLosesNothingButEveryOldPodWaitsTheFullTenSeconds() throws Exception {
    Run run = rollout(false, 1);

    assertThat(run.failures).as("failed client requests").isEmpty();
    for (Old old : run.olds) {
      assertThat(old.exit).as(old.name + " exit code").isZero();
      assertThat(old.sigtermToExitMillis).as(old.name + " SIGTERM to exit, ms").isGreaterThanOrEqualTo(MAX.toMillis());
      assertThat(old.summary).as(old.name + " summary").contains("pre-stop ended=fixed");
      // HAProxy stopped routing to it within a few checks, long before the delay was over.
      assertThat(old.lastRoutedMillis).as(old.name + " last routed after SIGTERM, ms").isLessThan(5_000);
    }
  }

  private record Old(String name, int exit, long sigtermToExitMillis, long lastRoutedMillis, String summary) {
    @Override
    public String toString() {
      return name + ": exit " + exit + " after " + sigtermToExitMillis + " ms, last routed "
          + lastRoutedMillis + " ms after SIGTERM";
    }
  }

  private record Run(long ok, List<String> failures, List<Old> olds, long rolloutMillis) {}

  private Run rollout(boolean adaptive, int rollouts) throws Exception {
    String mode = adaptive ? "adaptive" : "fixed";
    long seed = Long.getLong("probekit.rollout.seed", System.nanoTime());
    List<Haproxy.Server> slots = Haproxy.slots(REPLICAS + rollouts);
    haproxy = Haproxy.start(slots);
    long t0 = System.nanoTime();
    Deque<Haproxy.Server> serving = new ArrayDeque<>();
    Map<String, DemoProcess> byName = new java.util.HashMap<>();
    for (int i = 0; i < REPLICAS; i++) {
      byName.put(slots.get(i).name(), startPod(slots.get(i), adaptive));
      serving.add(slots.get(i));
    }
    for (int i = 0; i < REPLICAS; i++) {
      putInService(slots.get(i), byName.get(slots.get(i).name()));
    }
    for (int i = 0; i < 4; i++) {
      clients.add(new LoadClient("client-" + i, haproxy.port(), seed + i, 20, t0));
    }
    // One client with slower requests, so a drain has something to wait for.
    clients.add(new LoadClient("slow-client", haproxy.port(), seed + 99, 500, t0));
    await("load flowing").atMost(Duration.ofSeconds(20)).until(() -> totalOk() > 50);

    List<Old> olds = new ArrayList<>();
    long rolloutStart = System.nanoTime();
    for (int i = 0; i < rollouts; i++) {
      Haproxy.Server fresh = slots.get(REPLICAS + i);
      DemoProcess pod = startPod(fresh, adaptive);
      byName.put(fresh.name(), pod);
      putInService(fresh, pod);
      Haproxy.Server old = serving.removeFirst();
      DemoProcess oldPod = byName.get(old.name());
      long sigterm = System.nanoTime();
      oldPod.process.destroy(); // SIGTERM
      assertThat(oldPod.process.waitFor(MAX.toSeconds() + 15, TimeUnit.SECONDS)).as(old.name() + " exited").isTrue();
      long exited = System.nanoTime();
      long lastRouted = haproxy.lastRouted(old.name());
      String summary =
          oldPod.lines().stream().filter(l -> l.contains("pre-stop ended=")).reduce((a, b) -> b).orElse("(no summary)");
      olds.add(
          new Old(
              old.name(),
              oldPod.process.exitValue(),
              (exited - sigterm) / 1_000_000,
              lastRouted == 0 ? -1 : (lastRouted - sigterm) / 1_000_000,
              summary));
      System.out.printf("[haproxy %s] %s; %s%n", mode, olds.get(olds.size() - 1), summary.trim());
      serving.addLast(fresh);
    }
    long rolloutMillis = (System.nanoTime() - rolloutStart) / 1_000_000;

    long before = totalOk();
    await("load after the rollout").atMost(Duration.ofSeconds(10)).until(() -> totalOk() > before + 20);
    for (LoadClient c : clients) {
      c.close();
    }
    List<String> failures = new ArrayList<>();
    long ok = 0;
    for (LoadClient c : clients) {
      failures.addAll(c.failures());
      ok += c.ok();
    }
    System.out.printf(
        "[haproxy %s] %d rollouts in %d ms (new pod ready + old pod SIGTERM to exit, one after"
            + " the other), %d requests ok, %d failed; HAProxy per server: %s%n",
        mode, rollouts, rolloutMillis, ok, failures.size(), perServer());
    if (!failures.isEmpty()) {
      System.out.println("[haproxy " + mode + "] first failures: " + failures.subList(0, Math.min(5, failures.size())));
      System.out.println("haproxy log:\n" + haproxy.log());
    }
    assertThat(ok).as("requests served").isGreaterThan(100);
    return new Run(ok, failures, olds, rolloutMillis);
  }

  private DemoProcess startPod(Haproxy.Server slot, boolean adaptive) throws Exception {
    Map<String, String> env =
        adaptive
            ? Map.of("PROBEKIT_SHUTDOWN_PRE_STOP_MIN", "1s", "PROBEKIT_SHUTDOWN_PRE_STOP_QUIET_PERIOD", "1s")
            : Map.of();
    DemoProcess pod =
        DemoProcess.start(
            env,
            "-Dprobekit.demo.port=" + slot.appPort(),
            "-Dprobekit.probe.port=" + slot.probePort(),
            // 10 s maximum + 5 s drain + 2 s margin fit a 20 s grace period.
            "-Dprobekit.shutdown.pre-stop-delay=" + MAX.toSeconds() + "s",
            "-Dprobekit.shutdown.grace-period=20s");
    pods.add(pod);
    return pod;
  }

  /** Once the pod answers /readyz 200 (as the kubelet would see it), HAProxy takes it in. */
  private void putInService(Haproxy.Server slot, DemoProcess pod) throws Exception {
    pod.awaitStarted();
    await(slot.name() + " ready")
        .atMost(Duration.ofSeconds(30))
        .until(() -> KubeletProbe.get(slot.probePort(), "/readyz", 1_000).status() == 200);
    haproxy.enable(slot.name());
    await(slot.name() + " UP in HAProxy")
        .atMost(Duration.ofSeconds(15))
        .until(() -> haproxy.status(slot.name()).startsWith("UP"));
  }

  private String perServer() throws Exception {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> e : new java.util.TreeMap<>(haproxy.stats()).entrySet()) {
      Map<String, String> r = e.getValue();
      out.add(e.getKey() + " " + r.get("status") + " requests=" + r.get("stot") + " 2xx=" + r.get("hrsp_2xx")
          + " 5xx=" + r.get("hrsp_5xx") + " econ=" + r.get("econ") + " eresp=" + r.get("eresp")
          + " retries=" + r.get("wretr") + " redispatched=" + r.get("wredis"));
    }
    return String.join("; ", out);
  }

  private long totalOk() {
    return clients.stream().mapToLong(LoadClient::ok).sum();
  }

  /** A number of the summary line, such as {@code arrivals=27}. */
  private static long figure(String summary, String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(name + "=(\\d+)").matcher(summary);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }
}
