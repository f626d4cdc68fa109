package dev.probekit.spring;

import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.testkit.ProbeContractKit;
import dev.probekit.servlet.ProbeServlet;
import dev.probekit.servlet.internal.RawPaths;
import dev.probekit.spring.internal.ProbeWebFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The whole {@link ProbeContractKit} on the main port of one real Spring Boot application per
 * subclass (port 0). Starting an application per kit test costs seconds each; instead the
 * application's probe filter asks {@link #CURRENT} for its endpoints on every request, and each
 * kit test puts its own {@link ProbeEndpoints} (with its prefix and details policy) there.
 *
 * <p>The probes are answered by the production classes, created per request for the endpoints of
 * the kit test under way: probe-servlet's {@link ProbeServlet} (servlet stacks) and {@link
 * ProbeWebFilter} (WebFlux), behind a test filter that picks the endpoints. The auto-configured
 * main-port probes are off ({@code probekit.serve-on-main-port=false}); their mapping and paths are
 * tested by {@link AbstractMainPortContractTest}. Everything else (the Lifecycle, Spring MVC or
 * WebFlux behind, the server's own 404 and error handling) is the auto-configured application.
 * Subclasses name the web server (its factory class, registered as a bean: with both Tomcat and
 * Jetty on the test classpath Spring Boot would otherwise choose one).
 */
abstract class AbstractSpringContractKitTest extends ProbeContractKit {

  /** The endpoints the running application serves; swapped by every kit test. */
  static final AtomicReference<ProbeEndpoints> CURRENT = new AtomicReference<>();

  /** What the application's filter asks; between kit tests no request is sent, so none is set. */
  static final Supplier<ProbeEndpoints> ENDPOINTS =
      () -> {
        ProbeEndpoints e = CURRENT.get();
        if (e == null) {
          throw new IllegalStateException("no kit test is running");
        }
        return e;
      };

  private static ConfigurableApplicationContext context;
  private static URI base;

  private final WebApplicationType type;
  private final Class<?>[] sources;

  /**
   * @param type servlet (Spring MVC) or reactive (WebFlux)
   * @param serverFactory the web server factory class, registered as a bean
   */
  AbstractSpringContractKitTest(WebApplicationType type, Class<?> serverFactory) {
    this.type = type;
    Class<?> probes = type == WebApplicationType.REACTIVE ? KitWebProbes.class : KitServletProbes.class;
    this.sources = new Class<?>[] {KitApp.class, probes, serverFactory};
  }

  /** The auto-configured application the kit tests run against. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class KitApp {}

  /**
   * Starts the application before the first kit test, outside the kit's per-test timeout: a cold
   * Spring Boot start on a loaded 2-core machine can take longer than a whole kit test may.
   */
  @BeforeEach
  void startApplicationOnce() {
    startApplication();
  }

  @Override
  protected URI startServer(ProbeEndpoints endpoints) {
    CURRENT.set(endpoints);
    startApplication();
    return base;
  }

  private void startApplication() {
    if (context == null) {
      context =
          new SpringApplicationBuilder(sources)
              .web(type)
              .properties(
                  "server.port=0",
                  "server.address=127.0.0.1",
                  "spring.main.banner-mode=off",
                  "probekit.shutdown.pre-stop-delay=0s",
                  "probekit.serve-on-main-port=false")
              .run();
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      base = URI.create("http://127.0.0.1:" + port);
    }
  }

  @Override
  protected void stopServer() {
    // The application keeps running for the next kit test; only its endpoints change.
    CURRENT.set(null);
  }

  /** Servlet stacks: the kit test's endpoints served by a {@link ProbeServlet}, first in the chain. */
  @Configuration(proxyBeanMethods = false)
  static class KitServletProbes {
    @Bean
    FilterRegistrationBean<Filter> kitProbes(ObjectProvider<Lifecycle> lifecycle) {
      Filter filter =
          (req, res, chain) -> {
            ProbeEndpoints endpoints = ENDPOINTS.get();
            if (endpoints.matches(RawPaths.withinContext((HttpServletRequest) req))) {
              ProbeServlet.of(endpoints, lifecycle.getObject()).service(req, res);
            } else {
              chain.doFilter(req, res);
            }
          };
      FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(filter);
      registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
      registration.setAsyncSupported(true);
      return registration;
    }
  }

  /** WebFlux: the kit test's endpoints served by a {@link ProbeWebFilter}, first in the chain. */
  @Configuration(proxyBeanMethods = false)
  static class KitWebProbes {
    @Bean
    WebFilter kitProbes(ObjectProvider<Lifecycle> lifecycle) {
      return new KitWebFilter(lifecycle);
    }
  }

  private static final class KitWebFilter implements WebFilter, Ordered {
    private final ObjectProvider<Lifecycle> lifecycle;

    KitWebFilter(ObjectProvider<Lifecycle> lifecycle) {
      this.lifecycle = lifecycle;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
      return new ProbeWebFilter(ENDPOINTS.get(), true, lifecycle.getIfAvailable())
          .filter(exchange, chain);
    }

    @Override
    public int getOrder() {
      return Ordered.HIGHEST_PRECEDENCE;
    }
  }

  @AfterAll
  static void closeApplication() {
    if (context != null) {
      context.close();
      context = null;
      base = null;
    }
  }
}
