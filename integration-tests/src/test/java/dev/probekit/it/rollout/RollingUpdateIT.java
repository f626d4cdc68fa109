package dev.probekit.it.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.it.KubeletProbe;
import dev.probekit.it.postgres.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rolling update reproduced on loopback: pods are child JVMs of the demo ({@code java -jar
 * examples/target/probekit-demo.jar}, random ports), a {@link Kubelet} probes each the
 * way the kubelet does, a {@link LoadBalancer} routes to ready pods with kube-proxy's propagation
 * lag, and keep-alive {@link LoadClient}s send continuous load through it. The rollout follows
 * {@code maxSurge: 1, maxUnavailable: 0}: start a new pod, wait until it is ready, SIGTERM the
 * oldest, repeat. Every other old pod is terminated the way deploy/kubernetes asks the kubelet to:
 * the preStop hook ({@code GET /prestop} on the probe port, answered when the pre-stop delay is
 * over), then SIGTERM; the others get SIGTERM alone.
 *
 * <p>Timings are scaled down to fit CI: pre-stop delay 4 s (it must cover readiness detection,
 * one 200 ms period, plus the longest 3 s propagation lag), drain timeout 5 s, grace period 12 s
 * with a 1 s margin. With the drain, no request fails and every old pod exits 0 inside its grace
 * period; with the drain switched off, the same rollout loses requests.
 */
class RollingUpdateIT {
  private static final int REPLICAS = 2;
  private static final int ROLLOUTS = 5;
  private static final Duration GRACE = Duration.ofSeconds(12);
  private static final Kubelet.Spec STARTUP = new Kubelet.Spec("/startupz", 100, 1000, 100, 1);
  private static final Kubelet.Spec READINESS = new Kubelet.Spec("/readyz", 200, 1000, 1, 1);
  private static final Kubelet.Spec LIVENESS = new Kubelet.Spec("/livez", 500, 1000, 3, 1);

  private final List<Pod> pods = new ArrayList<>();
  private final Map<Pod, Kubelet> kubelets = new ConcurrentHashMap<>();
  private final List<LoadClient> clients = new ArrayList<>();
  private final List<String> preStopAnswers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private LoadBalancer lb;
  private int podCounter;
  /** The pods' environment: empty for the embedded database, the PostgreSQL settings otherwise. */
  private Map<String, String> podEnv = Map.of();
  /** What the fast clients request: null for /work?ms=N, "/" for the demo's database query. */
  private String fastPath;
  private PostgresServer postgres;

  @AfterEach
  void tearDown() throws Exception {
    for (LoadClient c : clients) {
      c.close();
    }
    for (Kubelet k : kubelets.values()) {
      k.close();
    }
    for (Pod p : pods) {
      p.kill();
    }
    if (lb != null) {
      lb.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void rollingUpdateWithTheDrainLosesNoRequestAndEveryOldPodExitsZeroInsideItsGracePeriod()
      throws Exception {
    Run run = rollout(true, ROLLOUTS);
    System.out.printf(
        "[rollout drain=on] %d rollouts, %d requests ok, %d failed, %d connections; old pods: %s;"
            + " preStop hooks: %s%n",
        ROLLOUTS, run.ok, run.failures.size(), run.connections, run.terminations, preStopAnswers);
    assertThat(preStopAnswers).hasSize((ROLLOUTS + 1) / 2).allMatch(a -> a.contains(": 200 after"));

    assertThat(run.failures).as("failed client requests").isEmpty();
    assertThat(run.ok).as("requests served").isGreaterThan(500);
    assertThat(run.terminated).hasSize(ROLLOUTS);
    for (Pod old : run.terminated) {
      assertThat(old.awaitExit(0)).as(old + " exit code").isZero();
      assertThat(old.terminationMillis()).as(old + " SIGTERM to exit, ms").isLessThan(GRACE.toMillis());
      // It kept serving for the pre-stop delay, then drained: never faster than the delay.
      assertThat(old.terminationMillis()).as(old + " SIGTERM to exit, ms").isGreaterThanOrEqualTo(3_900);
    }
    for (Map.Entry<Pod, Kubelet> e : kubelets.entrySet()) {
      assertThat(e.getValue().livenessRestarts()).as(e.getKey() + " liveness restarts " + e.getValue().events()).isZero();
    }
  }

  /**
   * The same rollout with every pod on one real PostgreSQL server ({@link PostgresServer}) and the
   * fast clients calling {@code GET /}, which queries it through each pod's pool: no request fails
   * and the server holds no session of an old pod once the rollout is over.
   */
  @Test
  void rollingUpdateOnPostgresLosesNoRequest() throws Exception {
    String password = "roll-" + Long.toHexString(System.nanoTime());
    postgres = PostgresServer.create(password);
    postgres.start();
    podEnv =
        Map.of(
            "PROBEKIT_DEMO_DATABASE_URL", postgres.jdbcUrl(),
            "PROBEKIT_DEMO_DATABASE_USER", PostgresServer.USER,
            "PROBEKIT_DEMO_DATABASE_PASSWORD", password);
    fastPath = "/";
    int rollouts = 3;
    Run run = rollout(true, rollouts);
    int sessions = postgres.sessions();
    System.out.printf(
        "[rollout postgres] %d rollouts, %d requests ok, %d failed, %d connections; old pods: %s;"
            + " PostgreSQL sessions after: %d (%d pods serving)%n",
        rollouts, run.ok, run.failures.size(), run.connections, run.terminations, sessions, REPLICAS);

    assertThat(run.failures).as("failed client requests").isEmpty();
    assertThat(run.ok).as("requests served").isGreaterThan(300);
    for (Pod old : run.terminated) {
      assertThat(old.awaitExit(0)).as(old + " exit code").isZero();
    }
    // Only the surviving pods' pools remain (DemoDatabase.MAX_POOL_SIZE 8 each at most).
    assertThat(sessions).isBetween(REPLICAS, REPLICAS * 8);
    for (Map.Entry<Pod, Kubelet> e : kubelets.entrySet()) {
      assertThat(e.getValue().livenessRestarts()).as(e.getKey() + " liveness restarts " + e.getValue().events()).isZero();
    }
  }

  @Test
  void withTheDrainSwitchedOffTheSameRolloutLosesRequests() throws Exception {
    Run run = rollout(false, 2);
    System.out.printf(
        "[rollout drain=off] %d rollouts, %d requests ok, %d failed, %d connections; old pods: %s%n",
        2, run.ok, run.failures.size(), run.connections, run.terminations);
    System.out.println("[rollout drain=off] first failures: " + run.failures.subList(0, Math.min(5, run.failures.size())));
    assertThat(run.ok).isGreaterThan(100);
    assertThat(run.failures).as("failed client requests without the drain").isNotEmpty();
  }

  private record Run(long ok, List<String> failures, long connections, List<Pod> terminated, List<String> terminations) {}

  private Run rollout(boolean drain, int rollouts) throws Exception {
    long seed = Long.getLong("probekit.rollout.seed", System.nanoTime());
    System.out.printf("[rollout drain=%s] seed %d%n", drain, seed);
    long t0 = System.nanoTime();
    lb = new LoadBalancer(seed);
    Deque<Pod> serving = new ArrayDeque<>();
    for (int i = 0; i < REPLICAS; i++) {
      serving.add(startPod(drain));
    }
    for (Pod p : serving) {
      awaitReady(p);
    }
    for (int i = 0; i < 4; i++) {
      clients.add(new LoadClient("client-" + i, lb.port(), seed + i, 20, t0, fastPath));
    }
    // One client with slow requests, so a drain always has something to wait for.
    clients.add(new LoadClient("slow-client", lb.port(), seed + 99, 1_500, t0));
    await("load flowing").atMost(Duration.ofSeconds(20)).until(() -> totalOk() > 50);

    List<Pod> terminated = new ArrayList<>();
    for (int i = 0; i < rollouts; i++) {
      Pod fresh = startPod(drain);
      awaitReady(fresh);
      Pod old = serving.removeFirst();
      if (drain && i % 2 == 0) {
        // The kubelet runs the hook and sends SIGTERM once it returns; the rollout goes on.
        old.terminating();
        Thread hook =
            new Thread(
                () -> {
                  KubeletProbe.Result r = KubeletProbe.get(old.probePort(), "/prestop", (int) GRACE.toMillis());
                  preStopAnswers.add(old + ": " + r.status() + " after " + r.nanos() / 1_000_000 + " ms");
                  old.sigterm();
                },
                "prestop-" + old);
        hook.setDaemon(true);
        hook.start();
      } else {
        old.sigterm();
      }
      terminated.add(old);
      serving.addLast(fresh);
    }
    for (Pod old : terminated) {
      int exit = old.awaitExit(GRACE.toSeconds() + 10);
      if (exit == Integer.MIN_VALUE) {
        dump(old);
      }
    }
    // A little more load on the surviving pods, then stop.
    long before = totalOk();
    await("load after the rollout").atMost(Duration.ofSeconds(10)).until(() -> totalOk() > before + 20);
    for (LoadClient c : clients) {
      c.close();
    }
    List<String> failures = new ArrayList<>();
    long ok = 0;
    long connections = 0;
    for (LoadClient c : clients) {
      failures.addAll(c.failures());
      ok += c.ok();
      connections += c.connections();
    }
    List<String> terminations = new ArrayList<>();
    for (Pod old : terminated) {
      terminations.add(old + ": exit " + old.awaitExit(0) + " after " + old.terminationMillis() + " ms");
    }
    if (drain && !failures.isEmpty()) {
      System.out.println("load balancer log:\n  " + String.join("\n  ", lb.log()));
      for (Pod p : terminated) {
        dump(p);
      }
    }
    return new Run(ok, failures, connections, terminated, terminations);
  }

  private long totalOk() {
    return clients.stream().mapToLong(LoadClient::ok).sum();
  }

  private Pod startPod(boolean drain) throws Exception {
    String name = "pod-" + (++podCounter);
    Path jar = Path.of(System.getProperty("probekit.demo.jar", "../examples/target/probekit-demo.jar"));
    assertThat(jar).as("the demo's shaded jar; build it with mvn -pl integration-tests -am verify").exists();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            "-Dprobekit.demo.port=0", "-Dprobekit.probe.port=0",
            "-Dprobekit.demo.dependency-delay=0ms",
            "-Dprobekit.shutdown.pre-stop-delay=4s", "-Dprobekit.shutdown.drain-timeout=5s",
            "-Dprobekit.shutdown.grace-period=" + GRACE.toSeconds() + "s",
            "-Dprobekit.shutdown.safety-margin=1s",
            "-Dprobekit.demo.drain=" + drain,
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-jar", jar.toString()));
    Pod pod = Pod.start(name, command, podEnv);
    pods.add(pod);
    pod.ports(30);
    kubelets.put(
        pod,
        new Kubelet(
            pod, STARTUP, READINESS, LIVENESS,
            ready -> {
              if (ready) {
                lb.add(pod.name, pod.appPort());
              } else {
                lb.readinessFailed(pod.name, pod.appPort());
              }
            }));
    return pod;
  }

  private void awaitReady(Pod pod) {
    await(pod + " ready and routed").atMost(Duration.ofSeconds(30)).until(() -> lb.routesTo(pod.appPort()));
  }

  private static void dump(Pod pod) {
    System.out.println("---- " + pod + " output:\n  " + String.join("\n  ", pod.output()));
  }

}
