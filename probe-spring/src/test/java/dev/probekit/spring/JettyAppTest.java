package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Import;

/** The contract and the availability bridge on a servlet application on Jetty 12.1 (ee11). */
class JettyAppTest extends AbstractMainPortContractTest {

  @Import({TestApps.Checks.class, ServletAppTest.Hello.class})
  static class App {}

  @BeforeAll
  void start() {
    context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.SERVLET)
            .properties(PROPERTIES)
            .properties(
                "spring.autoconfigure.exclude="
                    + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration")
            .run();
    WebServerApplicationContext web = (WebServerApplicationContext) context;
    assertThat(web.getWebServer().getClass().getSimpleName()).startsWith("Jetty");
    base = "http://127.0.0.1:" + web.getWebServer().getPort();
  }
}
