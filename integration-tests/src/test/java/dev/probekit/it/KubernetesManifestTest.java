package dev.probekit.it;

import static dev.probekit.it.Manifests.get;
import static dev.probekit.it.Manifests.list;
import static dev.probekit.it.Manifests.map;
import static dev.probekit.it.Manifests.only;
import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.internal.Durations;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.server.ProbeServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Parses deploy/kubernetes/*.yaml and checks that its numbers agree with the library: the grace
 * period covers the preStop hook, the pre-stop delay, the drain timeout and the safety margin; the
 * probes hit the contract's paths on the probe server's port; the rollout never lowers capacity;
 * the PodDisruptionBudget lets drains proceed without taking more than one pod; the database
 * password comes from the Secret; the example PostgreSQL is what the demo's URL names; the
 * kustomization lists exactly the files there are.
 */
class KubernetesManifestTest {
  /** The demo's application port (examples' DemoService default). */
  static final int DEMO_APP_PORT = 8080;

  /** Where the demo's probe server serves the preStop hook (DemoService, ProbeServer.preStop). */
  static final String DEMO_PRE_STOP_PATH = "/prestop";

  /** The demo's name: its Deployment, Service and PodDisruptionBudget. */
  static final String DEMO = "probekit-demo";

  private static Path dir;
  private static List<Map<String, Object>> docs;
  private static Map<String, Object> deployment;
  private static Map<String, Object> service;
  private static Map<String, Object> networkPolicy;

  @BeforeAll
  static void load() throws IOException {
    dir = Manifests.deployDir();
    docs = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        docs.addAll(Manifests.load(file));
      }
    }
    deployment = only(docs, "Deployment", DEMO);
    service = only(docs, "Service", DEMO);
    networkPolicy = only(docs, "NetworkPolicy", DEMO);
  }

  @Test
  void rollingUpdateNeverLowersCapacity() {
    Map<String, Object> strategy = map(get(deployment, "spec", "strategy"));
    assertThat(strategy.get("type")).isEqualTo("RollingUpdate");
    assertThat(get(strategy, "rollingUpdate", "maxUnavailable")).isEqualTo(0);
    assertThat(get(strategy, "rollingUpdate", "maxSurge")).isEqualTo(1);
    assertThat((Integer) get(deployment, "spec", "replicas")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void gracePeriodCoversPreStopHookDelayDrainAndMargin() {
    int grace = (Integer) get(podSpec(), "terminationGracePeriodSeconds");
    Duration kubelet = Duration.ofSeconds(grace);
    Duration hook = preStopHookDuration();
    Duration preStopDelay = env("PROBEKIT_SHUTDOWN_PRE_STOP_DELAY", Lifecycle.DEFAULT_PRE_STOP_DELAY);
    Duration drain = env("PROBEKIT_SHUTDOWN_DRAIN_TIMEOUT", Lifecycle.DEFAULT_DRAIN_TIMEOUT);
    Duration libraryGrace = env("PROBEKIT_SHUTDOWN_GRACE_PERIOD", Lifecycle.DEFAULT_GRACE_PERIOD);
    Duration margin = env("PROBEKIT_SHUTDOWN_SAFETY_MARGIN", Lifecycle.DEFAULT_SAFETY_MARGIN);
    Duration needed = hook.plus(preStopDelay).plus(drain).plus(margin);
    System.out.printf(
        "grace %ss > preStop hook %s + pre-stop delay %s + drain %s + margin %s = %s%n",
        grace,
        Durations.format(hook),
        Durations.format(preStopDelay),
        Durations.format(drain),
        Durations.format(margin),
        Durations.format(needed));

    assertThat(kubelet).as("terminationGracePeriodSeconds vs what the shutdown needs").isGreaterThan(needed);
    // The library's budget starts at SIGTERM, which the kubelet sends once the hook returns.
    assertThat(libraryGrace.plus(hook)).as("library grace period + preStop hook").isLessThanOrEqualTo(kubelet);
    assertThat(preStopDelay.plus(drain).plus(margin))
        .as("library grace period vs its own steps (it would warn and cut the drain short)")
        .isLessThanOrEqualTo(libraryGrace);
    // Together, hook and library wait at least the library's default pre-stop delay, which is
    // what endpoint removal needs to reach every load balancer.
    assertThat(hook.plus(preStopDelay)).isGreaterThanOrEqualTo(Lifecycle.DEFAULT_PRE_STOP_DELAY);
    // These manifests use exactly the library's defaults.
    assertThat(List.of(preStopDelay, drain, libraryGrace, margin))
        .containsExactly(
            Lifecycle.DEFAULT_PRE_STOP_DELAY,
            Lifecycle.DEFAULT_DRAIN_TIMEOUT,
            Lifecycle.DEFAULT_GRACE_PERIOD,
            Lifecycle.DEFAULT_SAFETY_MARGIN);
  }

  @Test
  void preStopHookCallsTheDemosPreStopEndpointOnTheProbePort() {
    Map<String, Object> httpGet = map(get(container(), "lifecycle", "preStop", "httpGet"));
    assertThat(httpGet.get("path")).isEqualTo(DEMO_PRE_STOP_PATH);
    assertThat(httpGet.get("port")).isEqualTo("probes");
  }

  @Test
  void probesUseTheContractPathsOnTheProbeServerPort() {
    ProbeEndpoints endpoints;
    try (HealthRegistry health = HealthRegistry.builder().build()) {
      endpoints = ProbeEndpoints.of(health);
    }
    Map<String, Object> container = container();
    Map<String, Integer> ports = new java.util.HashMap<>();
    for (Object p : list(container.get("ports"))) {
      Map<String, Object> port = map(p);
      ports.put((String) port.get("name"), (Integer) port.get("containerPort"));
    }
    assertThat(ports).containsEntry("probes", ProbeServer.DEFAULT_PORT).containsEntry("http", DEMO_APP_PORT);
    assertThat(envValue("PROBEKIT_PROBE_PORT")).isEqualTo(String.valueOf(ProbeServer.DEFAULT_PORT));
    assertThat(envValue("PROBEKIT_DEMO_PORT")).isEqualTo(String.valueOf(DEMO_APP_PORT));

    Map<String, Probe> probes =
        Map.of("startupProbe", Probe.STARTUP, "readinessProbe", Probe.READINESS, "livenessProbe", Probe.LIVENESS);
    for (Map.Entry<String, Probe> e : probes.entrySet()) {
      Map<String, Object> probe = map(container.get(e.getKey()));
      Map<String, Object> httpGet = map(probe.get("httpGet"));
      assertThat(httpGet.get("path")).as(e.getKey()).isEqualTo(endpoints.path(e.getValue()));
      Object port = httpGet.get("port");
      int resolved = port instanceof String name ? Objects.requireNonNull(ports.get(name), name) : (Integer) port;
      assertThat(resolved).as(e.getKey() + " port").isEqualTo(ProbeServer.DEFAULT_PORT);
      // The kubelet's timeout is 1 s by default; the probes are built to answer well within it.
      assertThat((Integer) probe.getOrDefault("timeoutSeconds", 1)).as(e.getKey()).isBetween(1, 5);
    }
  }

  @Test
  void livenessIsSlowerToKillThanReadinessIsToRemove() {
    Map<String, Object> container = container();
    Map<String, Object> readiness = map(container.get("readinessProbe"));
    Map<String, Object> liveness = map(container.get("livenessProbe"));
    int readyWindow = (Integer) readiness.get("periodSeconds") * (Integer) readiness.get("failureThreshold");
    int liveWindow = (Integer) liveness.get("periodSeconds") * (Integer) liveness.get("failureThreshold");
    // A pod in trouble leaves the Service long before the kubelet restarts it.
    assertThat(liveWindow).isGreaterThan(readyWindow);
    // minReadySeconds at least one readiness period: a new pod must stay Ready that long.
    assertThat((Integer) get(deployment, "spec", "minReadySeconds"))
        .isGreaterThanOrEqualTo((Integer) readiness.get("periodSeconds"));
    // The startup probe allows a slow start (dependency waits) before liveness can kill.
    Map<String, Object> startup = map(container.get("startupProbe"));
    assertThat((Integer) startup.get("periodSeconds") * (Integer) startup.get("failureThreshold"))
        .isGreaterThanOrEqualTo(60);
  }

  @Test
  void serviceSelectsThePodsAndTargetsTheApplicationPortOnly() {
    Map<String, Object> labels = map(get(deployment, "spec", "template", "metadata", "labels"));
    Map<String, Object> selector = map(get(service, "spec", "selector"));
    assertThat(labels).containsAllEntriesOf(selector);
    assertThat(map(get(deployment, "spec", "selector", "matchLabels"))).isEqualTo(selector);
    List<Object> ports = list(get(service, "spec", "ports"));
    assertThat(ports).hasSize(1);
    assertThat(map(ports.get(0)).get("targetPort")).isEqualTo("http");
  }

  @Test
  void podDisruptionBudgetLetsDrainsProceedOnePodAtATime() {
    Map<String, Object> pdb = only(docs, "PodDisruptionBudget", DEMO);
    Map<String, Object> spec = map(pdb.get("spec"));
    int replicas = (Integer) get(deployment, "spec", "replicas");
    assertThat(map(get(spec, "selector", "matchLabels"))).isEqualTo(map(get(deployment, "spec", "selector", "matchLabels")));
    // Exactly one of the two forms, and the disruptions it allows: at least 1 (0 would block every
    // node drain), and no more than the rollout's own margin of one pod.
    assertThat(spec.containsKey("maxUnavailable") ^ spec.containsKey("minAvailable")).as("one of maxUnavailable/minAvailable").isTrue();
    int allowed =
        spec.containsKey("maxUnavailable")
            ? (Integer) spec.get("maxUnavailable")
            : replicas - (Integer) spec.get("minAvailable");
    assertThat(allowed).isEqualTo(1).isLessThan(replicas);
    // The rollout takes none away (maxUnavailable 0): a drain may take one.
    assertThat(get(deployment, "spec", "strategy", "rollingUpdate", "maxUnavailable")).isEqualTo(0);
  }

  @Test
  void databasePasswordComesFromTheSecretThatPostgresAlsoReads() {
    Map<String, Object> secret = only(docs, "Secret", "probekit-demo-database");
    Map<String, Object> demoRef = secretRef(container(), "PROBEKIT_DEMO_DATABASE_PASSWORD");
    assertThat(demoRef.get("name")).isEqualTo(map(secret.get("metadata")).get("name"));
    Map<String, Object> data = map(secret.getOrDefault("stringData", secret.get("data")));
    assertThat(data).containsKey((String) demoRef.get("key"));

    Map<String, Object> postgres = only(docs, "Deployment", "probekit-postgres");
    Map<String, Object> pgContainer = map(list(get(postgres, "spec", "template", "spec", "containers")).get(0));
    assertThat(secretRef(pgContainer, "POSTGRES_PASSWORD")).isEqualTo(demoRef);
    // No password anywhere as a plain value in either Deployment.
    for (Map<String, Object> c : List.of(container(), pgContainer)) {
      for (Object e : list(c.get("env"))) {
        Map<String, Object> env = map(e);
        if (((String) env.get("name")).contains("PASSWORD")) {
          assertThat(env).as((String) env.get("name")).doesNotContainKey("value");
        }
      }
    }
  }

  @Test
  void demoDatabaseUrlNamesTheExamplePostgresServiceUserAndDatabase() {
    Map<String, Object> pgService = only(docs, "Service", "probekit-postgres");
    Map<String, Object> postgres = only(docs, "Deployment", "probekit-postgres");
    Map<String, Object> pgContainer = map(list(get(postgres, "spec", "template", "spec", "containers")).get(0));
    Map<String, Object> port = map(list(get(pgService, "spec", "ports")).get(0));
    String expectedUrl =
        "jdbc:postgresql://" + map(pgService.get("metadata")).get("name") + ":" + port.get("port") + "/" + envValue(pgContainer, "POSTGRES_DB");
    assertThat(envValue("PROBEKIT_DEMO_DATABASE_URL")).isEqualTo(expectedUrl);
    assertThat(envValue("PROBEKIT_DEMO_DATABASE_USER")).isEqualTo(envValue(pgContainer, "POSTGRES_USER"));
    assertThat(map(get(pgService, "spec", "selector")))
        .isEqualTo(map(get(postgres, "spec", "selector", "matchLabels")));
    // The Service's targetPort names the container's port.
    assertThat(list(pgContainer.get("ports")).stream().map(p -> map(p).get("name"))).contains(port.get("targetPort"));
  }

  @Test
  void databaseWaitGivesUpBeforeTheStartupProbeWould() {
    Map<String, Object> startup = map(container().get("startupProbe"));
    Duration startupWindow =
        Duration.ofSeconds((long) (Integer) startup.get("periodSeconds") * (Integer) startup.get("failureThreshold"));
    Duration waitDeadline = Durations.parse(envValue("PROBEKIT_DEMO_WAIT_DEADLINE"));
    // The demo exits 1 with a line naming the database before the kubelet kills it silently.
    assertThat(waitDeadline).isLessThan(startupWindow);
  }

  @Test
  void containerRunsTheImagesEntrypointAsNonRootWithAMemoryLimit() {
    Map<String, Object> container = container();
    // A command here would replace the Dockerfile's exec-form ENTRYPOINT and its memory flags.
    assertThat(container).doesNotContainKeys("command", "args");
    Map<String, Object> security = map(container.get("securityContext"));
    assertThat(security.get("runAsNonRoot")).isEqualTo(true);
    assertThat((Integer) security.get("runAsUser")).isEqualTo(DockerfileTest.IMAGE_UID);
    assertThat(String.valueOf(get(container, "resources", "limits", "memory"))).isNotBlank();
    assertThat(String.valueOf(container.get("image"))).isEqualTo(DockerfileTest.IMAGE);
  }

  @Test
  void kustomizationListsExactlyTheManifests() throws IOException {
    Map<String, Object> kustomization =
        map(new Load(LoadSettings.builder().build()).loadFromString(Files.readString(dir.resolve("kustomization.yaml"))));
    assertThat(kustomization.get("kind")).isEqualTo("Kustomization");
    List<String> listed = list(kustomization.get("resources")).stream().map(String::valueOf).sorted().toList();
    List<String> present;
    try (var files = Files.list(dir)) {
      present =
          files.map(f -> f.getFileName().toString())
              .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
              .sorted()
              .toList();
    }
    assertThat(listed).isEqualTo(present);
  }

  private static Map<String, Object> secretRef(Map<String, Object> container, String name) {
    for (Object e : list(container.get("env"))) {
      Map<String, Object> env = map(e);
      if (name.equals(env.get("name"))) {
        return map(get(env, "valueFrom", "secretKeyRef"));
      }
    }
    throw new AssertionError("no env " + name);
  }

  @Test
  void onlyTheNodeReachesTheProbePortAndItsPreStopEndpoint() {
    // The kubelet runs probes and the preStop httpGet from the pod's node, which NetworkPolicy
    // always admits; any other pod may reach the application port only.
    assertThat(map(get(networkPolicy, "spec", "podSelector", "matchLabels")))
        .isEqualTo(map(get(deployment, "spec", "selector", "matchLabels")));
    assertThat(list(get(networkPolicy, "spec", "policyTypes"))).contains("Ingress");
    List<Object> rules = list(get(networkPolicy, "spec", "ingress"));
    assertThat(rules).isNotEmpty();
    for (Object rule : rules) {
      List<Object> ports = list(map(rule).get("ports"));
      assertThat(ports).as("a rule without ports would open the probe port").isNotEmpty();
      for (Object port : ports) {
        assertThat(map(port).get("port")).isIn("http", DEMO_APP_PORT);
      }
    }
    assertThat(get(container(), "lifecycle", "preStop", "httpGet", "path")).isEqualTo(DEMO_PRE_STOP_PATH);
  }

  /** How long the preStop hook holds SIGTERM back: a sleep adds its seconds, an httpGet none. */
  private static Duration preStopHookDuration() {
    Map<String, Object> preStop = map(get(container(), "lifecycle", "preStop"));
    if (preStop.containsKey("sleep")) {
      return Duration.ofSeconds((Integer) get(preStop, "sleep", "seconds"));
    }
    if (preStop.containsKey("httpGet")) {
      // The library's preStop endpoint runs announce + pre-stop delay itself and returns when the
      // delay is over; SIGTERM then continues from stop-accepting: no extra time, and the
      // library's budget starts with the hook, as the kubelet's does.
      return Duration.ZERO;
    }
    throw new AssertionError("unexpected preStop hook: " + preStop);
  }

  private static Map<String, Object> podSpec() {
    return map(get(deployment, "spec", "template", "spec"));
  }

  private static Map<String, Object> container() {
    return Manifests.onlyContainer(deployment);
  }

  private static String envValue(Map<String, Object> container, String name) {
    return Manifests.envValue(container, name);
  }

  private static String envValue(String name) {
    return envValue(container(), name);
  }

  private static Duration env(String name, Duration libraryDefault) {
    String value = envValue(name);
    return value == null ? libraryDefault : Durations.parse(value);
  }

}
