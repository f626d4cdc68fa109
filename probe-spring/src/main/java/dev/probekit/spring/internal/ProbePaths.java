package dev.probekit.spring.internal;

import dev.probekit.core.DetailsPolicy;
import dev.probekit.core.ProbeEndpoints;
import java.util.List;
import org.springframework.core.env.Environment;

/**
 * Where the probes are served on the application's main port, as Boot serves the application
 * itself: the one place that combines {@code server.servlet.context-path}, {@code
 * spring.mvc.servlet.path}, {@code spring.webflux.base-path} and {@code probekit.prefix}.
 *
 * <pre>
 *  stack     served at                                          the container strips
 *  servlet   context-path + mvc.servlet.path + prefix + /readyz  context-path
 *  WebFlux   webflux.base-path + prefix + /readyz                base-path
 *  probe     prefix + /readyz (the separate port has no context)  nothing
 * </pre>
 *
 * The probe servlet is mapped like Spring MVC's own endpoints (under the servlet path), so a
 * Kubernetes probe path reads like Actuator's: {@code /app/readyz} for context path {@code /app}.
 */
public final class ProbePaths {

  private final String contextPath;
  private final String servletPath;
  private final String prefix;

  private ProbePaths(String contextPath, String servletPath, String prefix) {
    this.contextPath = contextPath;
    this.servletPath = servletPath;
    this.prefix = prefix;
  }

  /** The paths on a servlet stack (Tomcat, Jetty). */
  public static ProbePaths servlet(Environment env, String prefix) {
    return new ProbePaths(
        normalize(env.getProperty("server.servlet.context-path")),
        normalize(env.getProperty("spring.mvc.servlet.path")),
        prefix);
  }

  /** The paths on WebFlux, whose base path plays the context path's part. */
  public static ProbePaths reactive(Environment env, String prefix) {
    return new ProbePaths(normalize(env.getProperty("spring.webflux.base-path")), "", prefix);
  }

  /** The prefix {@link ProbeEndpoints} matches once the container stripped the context path. */
  public String endpointsPrefix() {
    return servletPath + prefix;
  }

  /** The full path before {@code /readyz} etc., as a client (the kubelet) sends it. */
  public String base() {
    return contextPath + servletPath + prefix;
  }

  /**
   * The main port's contract: {@code endpoints} itself without a servlet path, else the same
   * contract (same health, {@code policy}) under the servlet path.
   */
  public ProbeEndpoints endpoints(ProbeEndpoints endpoints, DetailsPolicy policy) {
    if (servletPath.isEmpty()) {
      return endpoints;
    }
    return ProbeEndpoints.builder(endpoints.health())
        .prefix(servletPath + endpoints.prefix())
        .detailsPolicy(policy)
        .build();
  }

  /**
   * The servlet mappings of the probe servlet: {@code patterns} (from {@code
   * ProbeServlets.urlPatterns} of the prefix alone) under the servlet path, so that they never
   * collide with the DispatcherServlet's own {@code /api/*}.
   */
  public String[] servletPatterns(List<String> patterns) {
    return patterns.stream().map(p -> servletPath + p).toArray(String[]::new);
  }

  /** "/app" for "app", "/app/", "/app/*" or "/app"; "" for null, "", "/" or "/*". */
  static String normalize(String path) {
    if (path == null) {
      return "";
    }
    String p = path.trim();
    if (p.endsWith("/*")) {
      p = p.substring(0, p.length() - 2);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.isEmpty()) {
      return "";
    }
    return p.startsWith("/") ? p : "/" + p;
  }

  @Override
  public String toString() {
    return base().isEmpty() ? "/" : base();
  }
}
