package dev.probekit.spring;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The {@code ProbeContractKit} on a WebFlux application on Reactor Netty (pinned: with Jetty on
 * the test classpath Spring Boot would otherwise serve WebFlux from Jetty).
 */
class WebFluxContractKitTest extends AbstractSpringContractKitTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(KitWebProbes.class)
  static class App {

    @Bean
    NettyReactiveWebServerFactory reactorNetty() {
      return new NettyReactiveWebServerFactory();
    }
  }

  @Override
  Class<?> app() {
    return App.class;
  }

  @Override
  WebApplicationType type() {
    return WebApplicationType.REACTIVE;
  }
}
