package dev.probekit.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.testsupport.ForkedJvm;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Proves that a user of one container never needs the other: the adapter and that container's
 * stop hook run in a child JVM whose classpath holds that container only.
 */
class ContainerIsolationTest {
  private static final Predicate<String> COMMON =
      name ->
          name.equals("classes")
              || (name.startsWith("probe-core-") && !name.endsWith("-tests.jar"))
              || name.equals("test-classes")
              || name.startsWith("slf4j-api-")
              || name.startsWith("slf4j-simple-")
              || name.startsWith("jackson-core-")
              || name.startsWith("jakarta.servlet-api-");

  /** The test classpath entries whose file or directory name passes {@code keep}. */
  private static List<String> classpath(Predicate<String> keep) {
    return ForkedJvm.testClasspath(entry -> keep.test(entry.getFileName().toString()));
  }

  @Test
  void servesAndStopsOnJettyWithoutTomcatOnTheClasspath() throws Exception {
    List<String> classpath = classpath(COMMON.or(name -> name.startsWith("jetty-")));
    assertThat(classpath).noneMatch(entry -> entry.contains("tomcat")).anyMatch(e -> e.contains("jetty-server"));

    ForkedJvm.Result result = ForkedJvm.run(classpath, List.of("-Xmx128m"), JettyOnlyMain.class, 60);

    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(result.output())
        .contains("STEP tomcat-absent")
        .contains("STEP served livez=200 ok hello=200 hello")
        .contains("STEP counted started=1 finished=1")
        .contains("STEP stopped=true failed=[]")
        .contains("JETTY-ONLY-OK");
  }

  @Test
  void servesAndStopsOnTomcatWithoutJettyOnTheClasspath() throws Exception {
    List<String> classpath = classpath(COMMON.or(name -> name.startsWith("tomcat-")));
    assertThat(classpath).noneMatch(entry -> entry.contains("jetty")).anyMatch(e -> e.contains("tomcat-embed-core"));

    ForkedJvm.Result result = ForkedJvm.run(classpath, List.of("-Xmx128m"), TomcatOnlyMain.class, 60);

    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(result.output())
        .contains("STEP jetty-absent")
        .contains("STEP served livez=200 ok hello=200 hello")
        .contains("STEP counted started=1 finished=1")
        .contains("STEP stopped=true failed=[]")
        .contains("TOMCAT-ONLY-OK");
  }
}
