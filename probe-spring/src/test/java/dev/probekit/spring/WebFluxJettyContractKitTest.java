package dev.probekit.spring;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.jetty.reactive.JettyReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The {@code ProbeContractKit} on a WebFlux application served by Jetty 12.1 through Spring's
 * servlet bridge, where {@code ServerHttpRequest.getURI()} re-encodes a malformed escape ("%zz"
 * becomes "%25zz"); the filter must read the target as sent and answer 400.
 */
class WebFluxJettyContractKitTest extends AbstractSpringContractKitTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(KitWebProbes.class)
  static class App {

    @Bean
    JettyReactiveWebServerFactory jetty() {
      return new JettyReactiveWebServerFactory();
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
