package dev.probekit.spring;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;

/**
 * The {@code ProbeContractKit} on a WebFlux application on Reactor Netty (pinned: with Jetty on
 * the test classpath Spring Boot would otherwise serve WebFlux from Jetty).
 */
class WebFluxContractKitTest extends AbstractSpringContractKitTest {
  WebFluxContractKitTest() {
    super(WebApplicationType.REACTIVE, NettyReactiveWebServerFactory.class);
  }
}
