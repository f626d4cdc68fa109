package dev.probekit.spring;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The {@code ProbeContractKit} on a Spring MVC application on Tomcat 11 (pinned: with Jetty on the
 * test classpath Spring Boot would pick Jetty). Tomcat answers TRACE itself (405, its connector
 * does not allow TRACE) before any filter runs, which the kit's default {@code
 * methodsAnswered405()} already leaves out.
 */
class ServletContractKitTest extends AbstractSpringContractKitTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(KitServletProbes.class)
  static class App {
    @Bean
    TomcatServletWebServerFactory tomcat() {
      return new TomcatServletWebServerFactory();
    }
  }

  @Override
  Class<?> app() {
    return App.class;
  }

  @Override
  WebApplicationType type() {
    return WebApplicationType.SERVLET;
  }
}
