package dev.probekit.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The raw (still percent-encoded) path of a request within its servlet context, which is what
 * {@link dev.probekit.core.ProbeEndpoints} matches.
 *
 * <p>Servlet paths ({@code getServletPath()}, {@code getPathInfo()}) are decoded and normalized,
 * so a check named {@code a%2Fb} or {@code a%20b} would reach the contract already changed; the
 * request URI is not, so it is the one to use.
 */
public final class RawPaths {
  private RawPaths() {}

  /**
   * The request URI without the context path, such as {@code /readyz/db} for {@code
   * /app/readyz/db} in context {@code /app}; the whole URI in the root context.
   *
   * @param request the request
   */
  public static String withinContext(HttpServletRequest request) {
    return withinContext(request.getRequestURI(), request.getContextPath());
  }

  /**
   * {@code uri} without {@code contextPath}, such as {@code /readyz/db} for {@code /app/readyz/db}
   * in context {@code /app}; the whole URI for an empty or null context path. Also used for
   * WebFlux's base path, which plays the context path's part there.
   *
   * @param uri the raw request URI, still percent-encoded
   * @param contextPath the context path, raw or decoded
   */
  public static String withinContext(String uri, String contextPath) {
    if (uri == null) {
      return null;
    }
    String context = contextPath;
    if (context == null || context.isEmpty()) {
      return uri;
    }
    if (uri.startsWith(context)) {
      return uri.substring(context.length());
    }
    // Some containers report the context path decoded (/app for a request to /%61pp): drop as
    // many raw segments as the context path has.
    int segments = 0;
    for (int i = 0; i < context.length(); i++) {
      if (context.charAt(i) == '/') {
        segments++;
      }
    }
    int at = 0;
    for (int s = 0; s < segments; s++) {
      int next = uri.indexOf('/', at + 1);
      if (next < 0) {
        return "";
      }
      at = next;
    }
    return uri.substring(at);
  }
}
