package dev.probekit.servlet.internal;

import dev.probekit.core.internal.TargetRequest;
import jakarta.servlet.http.HttpServletRequest;

/**
 * A {@link dev.probekit.core.ProbeRequest} view of a servlet request; created per request, never
 * shared.
 */
public final class ServletProbeRequest extends TargetRequest {
  private final HttpServletRequest request;

  /**
   * A view of {@code request}.
   *
   * @param request the request
   * @param rawPath its raw path within the context, from {@link RawPaths#withinContext}
   */
  public ServletProbeRequest(HttpServletRequest request, String rawPath) {
    // getQueryString() is the query as sent, not decoded, as ProbeEndpoints expects.
    super(request.getMethod(), rawPath, request.getQueryString());
    this.request = request;
  }

  @Override
  public String header(String name) {
    return request.getHeader(name);
  }
}
