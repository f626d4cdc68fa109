package dev.probekit.servlet.internal;

import dev.probekit.core.internal.RequestTargets;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The raw (still percent-encoded) path of a request within its servlet context, which is what
 * {@link dev.probekit.core.ProbeEndpoints} matches.
 *
 * <p>Servlet paths ({@code getServletPath()}, {@code getPathInfo()}) are decoded and normalized,
 * so a check named {@code a%2Fb} or {@code a%20b} would reach the contract already changed; the
 * request URI is not, so it is the one to use. The parsing is core's {@link RequestTargets}, the
 * same for every adapter.
 */
public final class RawPaths {
  private RawPaths() {}

  /**
   * The request URI without the context path, such as {@code /readyz/db} for {@code
   * /app/readyz/db} in context {@code /app}; the whole URI in the root context.
   *
   * @param request the request
   * @return the raw path within the context
   */
  public static String withinContext(HttpServletRequest request) {
    return RequestTargets.withinContext(request.getRequestURI(), request.getContextPath());
  }
}
