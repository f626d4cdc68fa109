package dev.probekit.servlet;

import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Wires Probekit into a servlet context in one call: the {@link ProbeServlet} at the endpoints'
 * paths and the {@link InflightFilter} in front of everything else.
 *
 * <pre>{@code
 * // In a ServletContextListener (declared in web.xml or annotated @WebListener), or a
 * // ServletContainerInitializer:
 * ProbeServlets.register(servletContext, ProbeEndpoints.of(health), lifecycle);
 *
 * // Embedded Jetty (ServletContextHandler) or Tomcat (Context):
 * context.addServletContainerInitializer(ProbeServlets.initializer(endpoints, lifecycle));
 * }</pre>
 *
 * <p>The servlet context only accepts registrations while it starts, so call {@link #register}
 * from a listener or initializer, not after the context has started.
 */
public final class ProbeServlets {

  /** The name the probe servlet is registered under: {@value}. */
  public static final String SERVLET_NAME = "probekit-probes";

  /** The name the in-flight filter is registered under: {@value}. */
  public static final String FILTER_NAME = "probekit-inflight";

  private static final String[] ROOT_PATTERNS = {"/livez/*", "/readyz/*", "/startupz/*", "/healthz/*"};

  private ProbeServlets() {}

  /**
   * Registers the probe servlet at {@code endpoints}' paths, and the in-flight filter at {@code
   * /*} (REQUEST dispatches, async supported, before filters declared in {@code web.xml}), which
   * counts application requests into {@code lifecycle} and adds {@code Connection: close} while
   * it drains.
   *
   * @param context the servlet context, while it starts
   * @param endpoints the contract to serve; its prefix is relative to the context path
   * @param lifecycle the lifecycle to count into
   * @throws IllegalStateException if the context has started, or a servlet or filter of the same
   *     name, or a servlet at one of the paths, is already registered
   */
  public static void register(ServletContext context, ProbeEndpoints endpoints, Lifecycle lifecycle) {
    Objects.requireNonNull(lifecycle, "lifecycle");
    addServlet(context, ProbeServlet.of(endpoints, lifecycle));
    FilterRegistration.Dynamic filter =
        context.addFilter(FILTER_NAME, InflightFilter.of(lifecycle, endpoints));
    if (filter == null) {
      throw new IllegalStateException("a filter named '" + FILTER_NAME + "' is already registered");
    }
    // Without async support on every filter of a chain, startAsync in the application throws.
    filter.setAsyncSupported(true);
    filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
  }

  /**
   * Registers only the probe servlet at {@code endpoints}' paths: no request counting.
   *
   * @param context the servlet context, while it starts
   * @param endpoints the contract to serve; its prefix is relative to the context path
   * @throws IllegalStateException as {@link #register(ServletContext, ProbeEndpoints, Lifecycle)}
   */
  public static void register(ServletContext context, ProbeEndpoints endpoints) {
    addServlet(context, ProbeServlet.of(endpoints));
  }

  /**
   * A {@link ServletContainerInitializer} that calls {@link #register(ServletContext,
   * ProbeEndpoints, Lifecycle)}, for containers that take initializer instances (embedded Jetty's
   * {@code ServletContextHandler.addServletContainerInitializer}, embedded Tomcat's {@code
   * Context.addServletContainerInitializer}).
   *
   * @param endpoints the contract to serve
   * @param lifecycle the lifecycle to count into
   * @return the initializer
   */
  public static ServletContainerInitializer initializer(ProbeEndpoints endpoints, Lifecycle lifecycle) {
    Objects.requireNonNull(endpoints, "endpoints");
    Objects.requireNonNull(lifecycle, "lifecycle");
    return (classes, context) -> register(context, endpoints, lifecycle);
  }

  /**
   * The URL patterns that cover {@code endpoints}' paths: {@code /health/*} for the prefix {@code
   * /health}, and {@code /livez/*}, {@code /readyz/*}, {@code /startupz/*}, {@code /healthz/*}
   * without one. A pattern {@code /x/*} also matches {@code /x} itself.
   *
   * @param endpoints the endpoints
   * @return the patterns
   */
  public static List<String> urlPatterns(ProbeEndpoints endpoints) {
    String prefix = endpoints.prefix();
    return prefix.isEmpty() ? List.of(ROOT_PATTERNS) : List.of(prefix + "/*");
  }

  private static void addServlet(ServletContext context, ProbeServlet servlet) {
    Objects.requireNonNull(context, "context");
    ServletRegistration.Dynamic registration = context.addServlet(SERVLET_NAME, servlet);
    if (registration == null) {
      throw new IllegalStateException("a servlet named '" + SERVLET_NAME + "' is already registered");
    }
    // Long-poll watchers wait in async mode, holding no container thread.
    registration.setAsyncSupported(true);
    Set<String> taken = registration.addMapping(urlPatterns(servlet.endpoints()).toArray(new String[0]));
    if (!taken.isEmpty()) {
      throw new IllegalStateException("paths already mapped to another servlet: " + taken);
    }
  }
}
