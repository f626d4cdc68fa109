package dev.probekit.spring;

import dev.probekit.core.Lifecycle;
import dev.probekit.spring.internal.ProbeServletFilter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;

/**
 * The {@code ProbeContractKit} on a Spring MVC application on Tomcat 11 (pinned: with Jetty on the
 * test classpath Spring Boot would pick Jetty). Tomcat answers TRACE itself (405, its connector
 * does not allow TRACE) before any filter runs, which the kit's default {@code
 * methodsAnswered405()} already leaves out.
 */
class ServletContractKitTest extends AbstractSpringContractKitTest {

  /** The probe filter, registered exactly as the auto-configuration does, endpoints swappable. */
  @Configuration(proxyBeanMethods = false)
  static class ProbeFilter {
    @Bean
    FilterRegistrationBean<ProbeServletFilter> probekitServletFilter(
        ObjectProvider<Lifecycle> lifecycle) {
      FilterRegistrationBean<ProbeServletFilter> registration =
          new FilterRegistrationBean<>(
              new ProbeServletFilter(ENDPOINTS, true, lifecycle.getIfAvailable()));
      registration.setName("probekitServletFilter");
      registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
      registration.setAsyncSupported(true);
      return registration;
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(ProbeFilter.class)
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
