package dev.probekit.spring;

import dev.probekit.core.Lifecycle;
import dev.probekit.spring.internal.ProbeWebFilter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.jetty.reactive.JettyReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;

/**
 * The {@code ProbeContractKit} on a WebFlux application served by Jetty 12.1 through Spring's
 * servlet bridge, where {@code ServerHttpRequest.getURI()} re-encodes a malformed escape ("%zz"
 * becomes "%25zz"); the filter must read the target as sent and answer 400.
 */
class WebFluxJettyContractKitTest extends AbstractSpringContractKitTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {

    @Bean
    JettyReactiveWebServerFactory jetty() {
      return new JettyReactiveWebServerFactory();
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
