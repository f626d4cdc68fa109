package dev.probekit.spring;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The contract and the availability bridge on a WebFlux application on Reactor Netty. */
class WebFluxAppTest extends AbstractMainPortContractTest {

  /** Tomcat and Jetty are on the test classpath too; this keeps reactive apps on Reactor Netty. */
  static final String NETTY_ONLY =
      "spring.autoconfigure.exclude="
          + "org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration,"
          + "org.springframework.boot.jetty.autoconfigure.reactive.JettyReactiveWebServerAutoConfiguration";

  @RestController
  static class Hello {
    @GetMapping("/hello")
    Mono<String> hello() {
      return Mono.just("hello");
    }

    @GetMapping("/slow")
    Mono<String> slow(@RequestParam long ms) {
      return Mono.delay(Duration.ofMillis(ms)).thenReturn("slow");
    }
  }

  @Import({TestApps.Checks.class, Hello.class})
  static class App {}

  @Override
  boolean serverReachesProbeWithMalformedQuery() {
    return false;
  }

  @BeforeAll
  void start() {
    context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.REACTIVE)
            .properties(PROPERTIES)
            .properties(NETTY_ONLY)
            .run();
    WebServerApplicationContext web = (WebServerApplicationContext) context;
    org.assertj.core.api.Assertions.assertThat(web.getWebServer().getClass().getSimpleName())
        .isEqualTo("NettyWebServer");
    base = "http://127.0.0.1:" + web.getWebServer().getPort();
  }
}
