package dev.probekit.spring;

import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The contract and the availability bridge on a servlet (Tomcat) application. */
class ServletAppTest extends AbstractMainPortContractTest {

  @RestController
  static class Hello {
    @GetMapping("/hello")
    String hello() {
      return "hello";
    }
  }

  @Import({TestApps.Checks.class, Hello.class})
  static class App {}

  @BeforeAll
  void start() {
    context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.SERVLET)
            .properties(PROPERTIES)
            .run();
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    base = "http://127.0.0.1:" + port;
  }
}
