package dev.probekit.spring;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;

/** The {@code ProbeContractKit} on a Spring MVC application on Jetty 12.1 (ee11). */
class JettyServletContractKitTest extends AbstractSpringContractKitTest {
  JettyServletContractKitTest() {
    super(WebApplicationType.SERVLET, JettyServletWebServerFactory.class);
  }
}
