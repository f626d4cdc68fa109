package dev.probekit.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.server.ProbeServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads deploy/container/Dockerfile (no image can be built on the CI machines: no daemon, no
 * registry) and checks each property the demo's container needs: a multi-stage build, a JRE base
 * image, a non-root user, an exec-form {@code ENTRYPOINT ["java", ...]} so the JVM itself gets
 * SIGTERM, container-aware memory flags, and the ports and jar path the manifests use.
 */
class DockerfileTest {
  /** The image the Deployment runs and the docs build. */
  static final String IMAGE = "probekit-demo:0.1.0-SNAPSHOT";

  /** The Dockerfile's USER, and the Deployment's runAsUser. */
  static final int IMAGE_UID = 10001;

  private static final Pattern FROM = Pattern.compile("(\\S+)(?:\\s+(?i:AS)\\s+(\\S+))?");

  /** One instruction: keyword and arguments, continuation lines joined. */
  record Instruction(String keyword, String args) {}

  private static List<List<Instruction>> stages;
  private static List<Instruction> runtime;

  @BeforeAll
  static void parse() throws IOException {
    Path file = Path.of(System.getProperty("probekit.container.dir", "../deploy/container")).resolve("Dockerfile");
    List<Instruction> all = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : Files.readAllLines(file)) {
      String line = raw.strip();
      if (current.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      String text = current.toString().strip();
      current.setLength(0);
      int space = text.indexOf(' ');
      all.add(new Instruction(text.substring(0, space).toUpperCase(Locale.ROOT), text.substring(space + 1).strip()));
    }
    stages = new ArrayList<>();
    for (Instruction i : all) {
      if (i.keyword.equals("FROM")) {
        stages.add(new ArrayList<>());
      }
      assertThat(stages).as("instruction before the first FROM: " + i).isNotEmpty();
      stages.get(stages.size() - 1).add(i);
    }
    runtime = stages.get(stages.size() - 1);
  }

  @Test
  void isAMultiStageBuildWhoseRuntimeStageCopiesOnlyTheJar() {
    assertThat(stages).hasSizeGreaterThanOrEqualTo(2);
    Matcher build = FROM.matcher(stages.get(0).get(0).args);
    assertThat(build.matches()).isTrue();
    String buildName = build.group(2);
    assertThat(buildName).as("the build stage is named").isNotNull();
    assertThat(stages.get(0)).anyMatch(i -> i.keyword.equals("RUN") && i.args.contains("mvn") && i.args.contains("package"));
    List<Instruction> copies = runtime.stream().filter(i -> i.keyword.equals("COPY") || i.keyword.equals("ADD")).toList();
    assertThat(copies).hasSize(1);
    assertThat(copies.get(0).keyword).isEqualTo("COPY");
    assertThat(copies.get(0).args).contains("--from=" + buildName).contains("examples/target/probekit-demo.jar");
  }

  @Test
  void runtimeBaseImageIsAJreWithoutBuildTools() {
    Matcher from = FROM.matcher(runtime.get(0).args);
    assertThat(from.matches()).isTrue();
    String image = from.group(1).toLowerCase(Locale.ROOT);
    assertThat(image).contains("jre").doesNotContain("jdk").doesNotContain("maven");
    assertThat(image).as("a pinned tag, not latest").contains(":").doesNotEndWith(":latest");
  }

  @Test
  void runsAsAFixedNonRootUser() {
    List<Instruction> users = runtime.stream().filter(i -> i.keyword.equals("USER")).toList();
    assertThat(users).as("USER in the runtime stage").isNotEmpty();
    String user = users.get(users.size() - 1).args.split(":")[0];
    assertThat(user).isEqualTo(String.valueOf(IMAGE_UID));
    assertThat(runtime).anyMatch(i -> i.keyword.equals("RUN") && i.args.contains("--uid " + IMAGE_UID));
    // Nothing runs as root after the switch.
    int userAt = runtime.indexOf(users.get(users.size() - 1));
    assertThat(runtime.subList(userAt, runtime.size())).noneMatch(i -> i.keyword.equals("USER") && i.args.startsWith("root"));
  }

  @Test
  void entrypointIsExecFormJavaWithContainerMemoryFlags() {
    List<Instruction> entrypoints = runtime.stream().filter(i -> i.keyword.equals("ENTRYPOINT")).toList();
    assertThat(entrypoints).hasSize(1);
    // Exec form is a JSON array; YAML's flow sequence parses it the same way.
    String json = entrypoints.get(0).args;
    assertThat(json).startsWith("[").endsWith("]");
    Object parsed = new Load(LoadSettings.builder().build()).loadFromString(json);
    assertThat(parsed).isInstanceOf(List.class);
    List<String> argv = ((List<?>) parsed).stream().map(String::valueOf).toList();
    System.out.println("ENTRYPOINT " + argv);
    assertThat(argv.get(0)).as("the JVM is the process, no shell wrapper").isEqualTo("java");
    assertThat(argv).noneMatch(a -> a.equals("sh") || a.equals("/bin/sh") || a.equals("bash") || a.equals("-c"));
    assertThat(argv).containsSubsequence("-jar", "/app/probekit-demo.jar");
    // Container-aware heap: a share of the cgroup limit, never a fixed -Xmx that ignores it.
    String ram = argv.stream().filter(a -> a.startsWith("-XX:MaxRAMPercentage=")).findFirst().orElseThrow();
    double percent = Double.parseDouble(ram.substring(ram.indexOf('=') + 1));
    assertThat(percent).isBetween(50.0, 80.0);
    assertThat(argv).noneMatch(a -> a.startsWith("-Xmx") || a.equals("-XX:-UseContainerSupport"));
    assertThat(argv).contains("-XX:+ExitOnOutOfMemoryError");
    // No CMD or SHELL that would change how it starts.
    assertThat(runtime).noneMatch(i -> i.keyword.equals("CMD") || i.keyword.equals("SHELL"));
    // The jar it runs is the one the stage copies.
    String copied = runtime.stream().filter(i -> i.keyword.equals("COPY")).findFirst().orElseThrow().args;
    assertThat(copied).endsWith(" /app/probekit-demo.jar");
  }

  @Test
  void exposesTheApplicationAndProbePortsTheManifestsUse() {
    List<String> exposed =
        runtime.stream().filter(i -> i.keyword.equals("EXPOSE")).flatMap(i -> List.of(i.args.split("\\s+")).stream()).toList();
    assertThat(exposed)
        .containsExactlyInAnyOrder(
            String.valueOf(KubernetesManifestTest.DEMO_APP_PORT), String.valueOf(ProbeServer.DEFAULT_PORT));
  }
}
