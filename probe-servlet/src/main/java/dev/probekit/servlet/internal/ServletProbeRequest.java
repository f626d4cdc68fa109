package dev.probekit.servlet.internal;

import dev.probekit.core.ProbeRequest;
import jakarta.servlet.http.HttpServletRequest;

/** A {@link ProbeRequest} view of a servlet request; created per request, never shared. */
public final class ServletProbeRequest implements ProbeRequest {
  private final HttpServletRequest request;
  private final String rawPath;

  /**
   * A view of {@code request}.
   *
   * @param request the request
   * @param rawPath its raw path within the context, from {@link RawPaths#withinContext}
   */
  public ServletProbeRequest(HttpServletRequest request, String rawPath) {
    this.request = request;
    this.rawPath = rawPath;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String rawPath() {
    return rawPath;
  }

  @Override
  public String rawQuery() {
    // getQueryString() is the query as sent, not decoded, as ProbeEndpoints expects.
    return request.getQueryString();
  }

  @Override
  public String header(String name) {
    return request.getHeader(name);
  }
}
