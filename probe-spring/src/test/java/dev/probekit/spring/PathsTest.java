package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Main-port probes where Boot serves the application: under {@code server.servlet.context-path}
 * and {@code spring.mvc.servlet.path} (Tomcat, Jetty), under {@code spring.webflux.base-path}
 * (WebFlux), with {@code probekit.prefix} composed after them; the start-up line names the path.
 */
@ExtendWith(OutputCaptureExtension.class)
class PathsTest {

  @RestController
  static class Hello {
    @GetMapping("/hello")
    String hello() {
      return "hello";
    }
  }

  @Import({TestApps.Checks.class, Hello.class})
  static class TomcatApp {
    @Bean
    TomcatServletWebServerFactory tomcat() {
      return new TomcatServletWebServerFactory();
    }
  }

  @Import({TestApps.Checks.class, Hello.class})
  static class JettyApp {
    @Bean
    JettyServletWebServerFactory jetty() {
      return new JettyServletWebServerFactory();
    }
  }

  @Import({TestApps.Checks.class, Hello.class})
  static class NettyApp {
    @Bean
    NettyReactiveWebServerFactory netty() {
      return new NettyReactiveWebServerFactory();
    }
  }

  @Test
  void tomcatServesTheProbesUnderTheContextPath(CapturedOutput output) {
    try (ConfigurableApplicationContext context =
        start(TomcatApp.class, WebApplicationType.SERVLET, "server.servlet.context-path=/app")) {
      String base = base(context);
      assertProbesAt(base, "/app", "/app/hello");
      assertThat(Http.get(base, "/readyz").statusCode()).isEqualTo(404);
      assertThat(output).containsPattern("probes served on the main port at http://127\\.0\\.0\\.1:\\d+"
          + "/app/\\{livez,readyz,startupz,healthz\\}");
    }
  }

  @Test
  void tomcatComposesContextPathServletPathAndPrefix(CapturedOutput output) {
    try (ConfigurableApplicationContext context =
        start(
            TomcatApp.class,
            WebApplicationType.SERVLET,
            "server.servlet.context-path=/app",
            "spring.mvc.servlet.path=/api",
            "probekit.prefix=/health")) {
      String base = base(context);
      assertProbesAt(base, "/app/api/health", "/app/api/hello");
      assertThat(Http.get(base, "/app/health/readyz").statusCode()).isEqualTo(404);
      assertThat(Http.get(base, "/app/api/readyz").statusCode()).isEqualTo(404);
      assertThat(output).contains("/app/api/health/{livez,readyz,startupz,healthz}");
    }
  }

  @Test
  void jettyServesTheProbesUnderTheContextPathWithThePrefix() {
    try (ConfigurableApplicationContext context =
        start(
            JettyApp.class,
            WebApplicationType.SERVLET,
            "server.servlet.context-path=/app",
            "probekit.prefix=/health")) {
      String base = base(context);
      assertProbesAt(base, "/app/health", "/app/hello");
      assertThat(Http.get(base, "/health/readyz").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void webFluxServesTheProbesUnderTheBasePath(CapturedOutput output) {
    try (ConfigurableApplicationContext context =
        start(
            NettyApp.class,
            WebApplicationType.REACTIVE,
            "spring.webflux.base-path=/app",
            "probekit.prefix=/health")) {
      String base = base(context);
      assertProbesAt(base, "/app/health", "/app/hello");
      assertThat(Http.get(base, "/health/readyz").statusCode()).isEqualTo(404);
      assertThat(output).contains("/app/health/{livez,readyz,startupz,healthz}");
    }
  }

  private static void assertProbesAt(String base, String probes, String hello) {
    await().atMost(Duration.ofSeconds(15))
        .until(() -> Http.get(base, probes + "/readyz").statusCode() == 200);
    assertThat(Http.get(base, probes + "/readyz").body()).isEqualTo("ok");
    assertThat(Http.get(base, probes + "/livez").statusCode()).isEqualTo(200);
    assertThat(Http.get(base, probes + "/readyz/db").statusCode()).isEqualTo(200);
    assertThat(Http.get(base, probes + "/readyz?verbose").body()).contains("[+]switch ok");
    assertThat(Http.get(base, hello).body()).isEqualTo("hello");
  }

  static ConfigurableApplicationContext start(
      Class<?> app, WebApplicationType type, String... properties) {
    return new SpringApplicationBuilder(app)
        .web(type)
        .properties(
            "server.port=0",
            "server.address=127.0.0.1",
            "spring.main.banner-mode=off",
            "probekit.checks.cache.required=false")
        .properties(properties)
        .run();
  }

  static String base(ConfigurableApplicationContext context) {
    return "http://127.0.0.1:"
        + ((WebServerApplicationContext) context).getWebServer().getPort();
  }
}
