package dev.probekit.servlet;

import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.ProbeResponse;
import dev.probekit.core.ProbeWatch;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.servlet.internal.RawPaths;
import dev.probekit.servlet.internal.ServletProbeRequest;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the probe contract of a {@link ProbeEndpoints} on a servlet container: {@code /livez},
 * {@code /readyz}, {@code /startupz}, {@code /healthz} and {@code /<probe>/<check>}, under the
 * endpoints' prefix.
 *
 * <p>Map it where the endpoints' paths are, relative to the context path: {@code /health/*} for
 * the prefix {@code /health}, or {@code /livez/*}, {@code /readyz/*}, {@code /startupz/*} and
 * {@code /healthz/*} for none; {@link ProbeServlets#urlPatterns(ProbeEndpoints)} lists them and
 * {@link ProbeServlets#register} maps them. The path is taken from the raw request URI (minus the
 * context path), never from the decoded servlet path, so check names keep their escapes.
 *
 * <p>Every method reaches {@link ProbeEndpoints}: GET and HEAD are answered, anything else
 * (OPTIONS and TRACE included) is 405 with {@code Allow: GET, HEAD}. Responses are written with
 * {@code setStatus} and the body bytes, never with {@code sendError}, so no container error page
 * ever replaces a 404, 405 or 503 body. Thread-safe; holds no per-request state.
 *
 * <p>Long-poll watchers ({@code If-None-Match} + {@code Prefer: wait=N}, see {@link
 * ProbeEndpoints#watch}) wait in servlet async mode, holding no container thread, when the
 * servlet is registered with async support ({@link ProbeServlets} does that); otherwise they are
 * answered at once (304 if nothing changed). With a lifecycle they are released when it starts to
 * drain, with the current status and {@code Connection: close}.
 */
public final class ProbeServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(ProbeServlet.class);
  private static final ProbeResponse UNAVAILABLE = ProbeResponse.text(503, "probe unavailable");
  private static final BooleanSupplier NEVER = () -> false;

  private final transient ProbeEndpoints endpoints;
  private final transient BooleanSupplier closeConnections;

  private ProbeServlet(ProbeEndpoints endpoints, BooleanSupplier closeConnections) {
    this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    this.closeConnections = closeConnections;
  }

  /**
   * A servlet serving {@code endpoints}.
   *
   * @param endpoints the contract to serve
   * @return the servlet
   */
  public static ProbeServlet of(ProbeEndpoints endpoints) {
    return new ProbeServlet(endpoints, NEVER);
  }

  /**
   * A servlet serving {@code endpoints} whose responses carry {@code Connection: close} while
   * {@code lifecycle} drains, so keep-alive clients move to another pod.
   *
   * @param endpoints the contract to serve
   * @param lifecycle whose draining state closes connections
   * @return the servlet
   */
  public static ProbeServlet of(ProbeEndpoints endpoints, Lifecycle lifecycle) {
    Objects.requireNonNull(lifecycle, "lifecycle");
    lifecycle.wakeWatchersAtDrainStart(endpoints);
    return new ProbeServlet(endpoints, lifecycle::isDraining);
  }

  /** {@return the endpoints served} */
  public ProbeEndpoints endpoints() {
    return endpoints;
  }

  /**
   * Answers every method through {@link ProbeEndpoints}; overridden so that HttpServlet's own
   * {@code doOptions}, {@code doTrace} and 405 pages never answer instead.
   */
  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    ProbeResponse answer;
    try {
      String rawPath = RawPaths.withinContext(request);
      ServletProbeRequest probeRequest = new ServletProbeRequest(request, rawPath);
      // Requests that come while draining are answered at once, as released watchers are.
      ProbeWatch watch =
          request.isAsyncSupported() && !closeConnections.getAsBoolean()
              ? endpoints.watch(probeRequest)
              : null;
      if (watch != null) {
        AsyncWatch.park(request, watch, closeConnections);
        return;
      }
      answer = endpoints.handle(probeRequest);
      if ("HEAD".equals(request.getMethod())) {
        // ProbeEndpoints answers some errors (404 for an unknown path) with the GET variant.
        answer = answer.forHead();
      }
    } catch (RuntimeException e) {
      // ProbeEndpoints never throws by contract; if it does, answer a short 503, never a
      // container's 500 page with a stack trace, and leave the cause to the log.
      log.warn("probe request failed", e);
      answer = UNAVAILABLE;
    }
    write(answer, response, closeConnections.getAsBoolean());
  }

  static void write(ProbeResponse answer, HttpServletResponse response, boolean close)
      throws IOException {
    // setStatus, not sendError: containers replace the bodies of sendError with their own pages.
    response.setStatus(answer.status());
    for (Map.Entry<String, String> header : answer.headers()) {
      response.setHeader(header.getKey(), header.getValue());
    }
    if (close) {
      response.setHeader("Connection", "close");
    }
    if (answer.status() != 304) {
      // A 304 has no body; a Content-Length there would have to be the 200's.
      response.setContentLength(answer.contentLength());
    }
    if (!answer.isHead()) {
      answer.writeBody(response.getOutputStream());
    }
  }

  @Override
  public String getServletInfo() {
    return "Probekit probes: " + endpoints;
  }
}
