package dev.probekit.spring;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/** The {@code ProbeContractKit} on a Spring MVC application on Jetty 12.1 (ee11). */
class JettyServletContractKitTest extends AbstractSpringContractKitTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(KitServletProbes.class)
  static class App {
    @Bean
    JettyServletWebServerFactory jetty() {
      return new JettyServletWebServerFactory();
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
