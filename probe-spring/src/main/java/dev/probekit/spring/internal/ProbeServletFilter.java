package dev.probekit.spring.internal;

import dev.probekit.core.InflightTracker;
import dev.probekit.core.Lifecycle;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.ProbeRequest;
import dev.probekit.core.ProbeResponse;
import dev.probekit.core.ProbeWatch;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Answers the probe paths on the main servlet port before any other filter or servlet, and
 * counts every other request into the {@link InflightTracker}; adds {@code Connection: close}
 * while draining.
 */
public final class ProbeServletFilter implements Filter {

  private final Supplier<ProbeEndpoints> endpoints;
  private final boolean serveProbes;
  private final Lifecycle lifecycle;
  private final InflightTracker inflight;

  public ProbeServletFilter(ProbeEndpoints endpoints, boolean serveProbes, Lifecycle lifecycle) {
    this(() -> endpoints, serveProbes, lifecycle);
    if (serveProbes && lifecycle != null) {
      // Long-poll watchers are released at drain start, even when no status changes then.
      endpoints.wakeWatchersAtDrainStart(lifecycle);
    }
  }

  /**
   * Asks {@code endpoints} once per request for the contract to serve. The auto-configuration
   * uses the other constructor (one fixed {@link ProbeEndpoints} bean); this one exists so that
   * probe-spring's conformance tests can run {@code ProbeContractKit} against one application
   * whose endpoints change per test (ProbeEndpoints is final, so it cannot be wrapped).
   */
  public ProbeServletFilter(
      Supplier<ProbeEndpoints> endpoints, boolean serveProbes, Lifecycle lifecycle) {
    this.endpoints = endpoints;
    this.serveProbes = serveProbes;
    this.lifecycle = lifecycle;
    this.inflight = lifecycle == null ? null : lifecycle.inflight();
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    if (lifecycle != null && lifecycle.isDraining()) {
      response.setHeader("Connection", "close");
    }
    if (serveProbes) {
      ProbeEndpoints probes = endpoints.get();
      String path = request.getRequestURI();
      if (probes.matches(path)) {
        Request probeRequest = new Request(request);
        BooleanSupplier draining = lifecycle == null ? () -> false : lifecycle::isDraining;
        // Requests that come while draining are answered at once, as released watchers are.
        ProbeWatch watch =
            request.isAsyncSupported() && !draining.getAsBoolean()
                ? probes.watch(probeRequest)
                : null;
        if (watch != null) {
          AsyncWatch.park(request, watch, draining);
          return;
        }
        write(probes.handle(probeRequest), response);
        return;
      }
    }
    if (inflight == null) {
      chain.doFilter(req, res);
      return;
    }
    inflight.enter();
    try {
      chain.doFilter(req, res);
    } finally {
      if (request.isAsyncStarted()) {
        request.getAsyncContext().addListener(new ExitOnComplete(inflight));
      } else {
        inflight.exit();
      }
    }
  }

  static void write(ProbeResponse probe, HttpServletResponse response) throws IOException {
    response.setStatus(probe.status());
    for (Map.Entry<String, String> h : probe.headers()) {
      response.setHeader(h.getKey(), h.getValue());
    }
    if (probe.status() != 304) {
      // A 304 has no body; a Content-Length there would have to be the 200's.
      response.setContentLength(probe.contentLength());
    }
    if (!probe.isHead()) {
      probe.writeBody(response.getOutputStream());
    }
  }

  private static final class Request implements ProbeRequest {
    private final HttpServletRequest request;

    Request(HttpServletRequest request) {
      this.request = request;
    }

    @Override
    public String method() {
      return request.getMethod();
    }

    @Override
    public String rawPath() {
      return request.getRequestURI();
    }

    @Override
    public String rawQuery() {
      return request.getQueryString();
    }

    @Override
    public String header(String name) {
      return request.getHeader(name);
    }
  }

  private static final class ExitOnComplete implements jakarta.servlet.AsyncListener {
    private final InflightTracker inflight;

    ExitOnComplete(InflightTracker inflight) {
      this.inflight = inflight;
    }

    @Override
    public void onComplete(jakarta.servlet.AsyncEvent event) {
      inflight.exit();
    }

    @Override
    public void onTimeout(jakarta.servlet.AsyncEvent event) {
      // onComplete follows a timeout; counting here too would exit twice.
    }

    @Override
    public void onError(jakarta.servlet.AsyncEvent event) {
      // onComplete follows an error as well.
    }

    @Override
    public void onStartAsync(jakarta.servlet.AsyncEvent event) {
      event.getAsyncContext().addListener(this);
    }
  }
}
