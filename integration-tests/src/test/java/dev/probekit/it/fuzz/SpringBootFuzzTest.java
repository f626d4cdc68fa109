package dev.probekit.it.fuzz;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.Probe;
import dev.probekit.spring.ProbekitCheck;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Fuzzes probe-spring's endpoints on the main port of a Spring Boot 4 servlet application
 * (embedded Tomcat 11 as Spring Boot configures it).
 */
class SpringBootFuzzTest extends MalformedRequestFuzzTest {
  private ConfigurableApplicationContext context;

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    ProbekitCheck ping() {
      return ProbekitCheck.of("ping", CheckResult::up, CheckOptions.of(Probe.LIVENESS, Probe.READINESS));
    }

    @Bean
    ProbekitCheck db() {
      return ProbekitCheck.of(
          "db", () -> CheckResult.down("password=secret refused"), CheckOptions.of(Probe.READINESS));
    }
  }

  @Override
  protected InetSocketAddress start() {
    context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.SERVLET)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "spring.main.banner-mode=off",
                "probekit.shutdown.pre-stop-delay=0s")
            .run();
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  @Override
  protected void stop() {
    context.close();
  }

  /** As for plain Tomcat (see {@link TomcatFuzzTest}): Tomcat's own protocol-level answers. */
  @Override
  protected Set<Integer> protocolStatuses() {
    return Set.of(417, 501, 505);
  }

  @Override
  protected boolean answersHttp09() {
    return true;
  }

  @Override
  protected String target() {
    return "SpringBoot+Tomcat";
  }
}
