package dev.probekit.spring;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.jetty.reactive.JettyReactiveWebServerFactory;

/**
 * The {@code ProbeContractKit} on a WebFlux application served by Jetty 12.1 through Spring's
 * servlet bridge, where {@code ServerHttpRequest.getURI()} re-encodes a malformed escape ("%zz"
 * becomes "%25zz"); the filter must read the target as sent and answer 400.
 */
class WebFluxJettyContractKitTest extends AbstractSpringContractKitTest {
  WebFluxJettyContractKitTest() {
    super(WebApplicationType.REACTIVE, JettyReactiveWebServerFactory.class);
  }
}
