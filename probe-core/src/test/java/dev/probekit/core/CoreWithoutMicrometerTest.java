package dev.probekit.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.testsupport.ForkedJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that probe-core runs without its optional Micrometer dependency, like Micrometer's own
 * {@code MissingHdrHistogramTest}: once in a child JVM whose classpath leaves it out, and once by
 * reading every compiled class for references to it.
 */
class CoreWithoutMicrometerTest {

  @Test
  void coreRunsEndToEndInAJvmWithoutMicrometer(@TempDir Path dir) throws Exception {
    List<String> classpath = ForkedJvm.moduleClasspath("slf4j-api-", "jackson-core-");
    assertThat(classpath).hasSize(4).noneMatch(entry -> entry.contains("micrometer"));

    Path classLog = dir.resolve("classes.log");
    ForkedJvm.Result result =
        ForkedJvm.run(
            classpath,
            List.of("-Xmx64m", "-Xlog:class+load=info:file=" + classLog),
            CoreWithoutMicrometerMain.class,
            60);

    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(result.output())
        .contains("STEP micrometer-absent")
        .contains("STEP checks-up [deadlocks, loop, heap, disk, tcp, self]")
        .contains("STEP served 200 ok")
        .contains("STEP shutdown SHUTDOWN_TASKS")
        .contains("CORE-WITHOUT-MICROMETER-OK");
    // Nothing on the way touched the binder, so nothing ever asked for Micrometer.
    String loaded = Files.readString(classLog);
    assertThat(loaded)
        .contains("dev.probekit.core.DefaultHealthRegistry")
        .contains("dev.probekit.core.checks.HttpCheck")
        .doesNotContain("dev.probekit.core.micrometer.ProbeMetrics")
        .doesNotContain("io.micrometer");
  }

  @Test
  void onlyProbeMetricsAndItsNestedClassesReferToMicrometer() throws IOException {
    List<String> all = compiledClasses();
    assertThat(all).hasSizeGreaterThan(30);
    assertThat(referringTo(all, "io/micrometer/"))
        .contains("dev/probekit/core/micrometer/ProbeMetrics.class")
        .allMatch(name -> name.startsWith("dev/probekit/core/micrometer/"), "in the micrometer package");
  }

  /** Each optional part of the platform is used from one package, so it stays easy to leave out. */
  @Test
  void eachOptionalDependencyIsReferencedFromOnePackage() throws IOException {
    List<String> all = compiledClasses();
    assertThat(referringTo(all, "java/sql/"))
        .isNotEmpty()
        .allMatch(name -> name.startsWith("dev/probekit/core/checks/"), "in the checks package");
    assertThat(referringTo(all, "java/net/http/"))
        .isNotEmpty()
        .allMatch(name -> name.startsWith("dev/probekit/core/checks/"), "in the checks package");
    assertThat(referringTo(all, "sun/misc/"))
        .isNotEmpty()
        .allMatch(name -> name.startsWith("dev/probekit/core/internal/"), "in the internal package");
  }

  private static List<String> compiledClasses() throws IOException {
    Path classes = Paths.get("target", "classes");
    try (Stream<Path> files = Files.walk(classes)) {
      return files
          .filter(p -> p.toString().endsWith(".class"))
          .map(p -> classes.relativize(p).toString().replace('\\', '/'))
          .collect(Collectors.toList());
    }
  }

  private static List<String> referringTo(List<String> classNames, String prefix) {
    Path classes = Paths.get("target", "classes");
    byte[] needle = prefix.getBytes(StandardCharsets.US_ASCII);
    return classNames.stream()
        .filter(name -> contains(read(classes.resolve(name)), needle))
        .collect(Collectors.toList());
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new AssertionError(file.toString(), e);
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
