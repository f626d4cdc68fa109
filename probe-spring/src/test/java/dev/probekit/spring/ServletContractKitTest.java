package dev.probekit.spring;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;

/**
 * The {@code ProbeContractKit} on a Spring MVC application on Tomcat 11 (pinned: with Jetty on the
 * test classpath Spring Boot would pick Jetty). Tomcat answers TRACE itself (405, its connector
 * does not allow TRACE) before any filter runs, which the kit's default {@code
 * methodsAnswered405()} already leaves out.
 */
class ServletContractKitTest extends AbstractSpringContractKitTest {
  ServletContractKitTest() {
    super(WebApplicationType.SERVLET, TomcatServletWebServerFactory.class);
  }
}
