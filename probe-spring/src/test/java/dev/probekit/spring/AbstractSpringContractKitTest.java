package dev.probekit.spring;

import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.testkit.ProbeContractKit;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole {@link ProbeContractKit} on the main port of one real Spring Boot application per
 * subclass (port 0). Starting an application per kit test costs seconds each; instead the
 * application's probe filter asks {@link #CURRENT} for its endpoints on every request, and each
 * kit test puts its own {@link ProbeEndpoints} (with its prefix and details policy) there.
 *
 * <p>The filter bean is the application's own (the auto-configured one backs off by name or
 * type), built from the real filter class with the {@code Supplier} constructor; everything else
 * (the Lifecycle it counts into, Spring MVC or WebFlux behind it, the server's own 404 and error
 * handling) is the auto-configured application.
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

  abstract Class<?> app();

  abstract WebApplicationType type();

  @Override
  protected URI startServer(ProbeEndpoints endpoints) {
    CURRENT.set(endpoints);
    if (context == null) {
      context =
          new SpringApplicationBuilder(app())
              .web(type())
              .properties(
                  "server.port=0",
                  "server.address=127.0.0.1",
                  "spring.main.banner-mode=off",
                  "probekit.shutdown.pre-stop-delay=0s")
              .run();
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      base = URI.create("http://127.0.0.1:" + port);
    }
    return base;
  }

  @Override
  protected void stopServer() {
    // The application keeps running for the next kit test; only its endpoints change.
    CURRENT.set(null);
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
