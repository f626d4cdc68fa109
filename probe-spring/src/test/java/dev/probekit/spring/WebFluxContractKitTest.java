package dev.probekit.spring;

import dev.probekit.core.Lifecycle;
import dev.probekit.spring.internal.ProbeWebFilter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;

/**
 * The {@code ProbeContractKit} on a WebFlux application on Reactor Netty (pinned: with Jetty on
 * the test classpath Spring Boot would otherwise serve WebFlux from Jetty).
 */
class WebFluxContractKitTest extends AbstractSpringContractKitTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {

    @Bean
    NettyReactiveWebServerFactory reactorNetty() {
      return new NettyReactiveWebServerFactory();
    }

    /** The auto-configured filter backs off for this one: the same class, swappable endpoints. */
    @Bean
    ProbeWebFilter probekitWebFilter(ObjectProvider<Lifecycle> lifecycle) {
      return new ProbeWebFilter(ENDPOINTS, true, lifecycle.getIfAvailable());
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
