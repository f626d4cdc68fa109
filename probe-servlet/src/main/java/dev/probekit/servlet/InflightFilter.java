package dev.probekit.servlet;

import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.InflightTracker;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.servlet.internal.RawPaths;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts application requests into the lifecycle's {@link InflightTracker}, so the drain waits for
 * them, and adds {@code Connection: close} to responses while the lifecycle drains, so keep-alive
 * clients move to another pod.
 *
 * <p>Map it first, at {@code /*}, for the {@link DispatcherType#REQUEST} dispatch only, with async
 * support on; {@link ProbeServlets#register} does. A request counts from the moment it enters
 * the filter until its servlet returns or, when it went asynchronous ({@code startAsync}), until
 * the first of the {@link AsyncListener}'s complete, error or timeout events: exactly one exit per
 * entry, whether the application returns, throws or times out. Forwards, includes and async and
 * error dispatches of a counted request are not counted again. Probe requests (paths the given
 * {@link ProbeEndpoints} match) are neither counted nor touched: probes must not hold a drain
 * open.
 *
 * <p>A request that started before the drain gets {@code Connection: close} when its servlet
 * returns, if the response is not committed yet; an asynchronous one that completes later relies
 * on the container, which stops keep-alive once the stop hooks have closed its connectors.
 * Thread-safe; holds no per-request state.
 */
public final class InflightFilter implements Filter {
  private final Lifecycle lifecycle;
  private final InflightTracker tracker;
  private final ProbeEndpoints endpoints;

  private InflightFilter(Lifecycle lifecycle, ProbeEndpoints endpoints) {
    this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
    this.tracker = lifecycle.inflight();
    this.endpoints = endpoints;
  }

  /**
   * A filter counting every request it sees into {@code lifecycle}'s tracker.
   *
   * @param lifecycle the lifecycle whose tracker and draining state to use
   * @return the filter
   */
  public static InflightFilter of(Lifecycle lifecycle) {
    return new InflightFilter(lifecycle, null);
  }

  /**
   * A filter counting every request into {@code lifecycle}'s tracker except probe requests of
   * {@code endpoints}.
   *
   * @param lifecycle the lifecycle whose tracker and draining state to use
   * @param endpoints whose paths are probes, not application requests
   * @return the filter
   */
  public static InflightFilter of(Lifecycle lifecycle, ProbeEndpoints endpoints) {
    return new InflightFilter(lifecycle, Objects.requireNonNull(endpoints, "endpoints"));
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest)
        || !(response instanceof HttpServletResponse)
        || request.getDispatcherType() != DispatcherType.REQUEST) {
      chain.doFilter(request, response);
      return;
    }
    HttpServletRequest httpRequest = (HttpServletRequest) request;
    HttpServletResponse httpResponse = (HttpServletResponse) response;
    if (endpoints != null && endpoints.matches(RawPaths.withinContext(httpRequest))) {
      chain.doFilter(request, response);
      return;
    }
    if (lifecycle.isDraining()) {
      httpResponse.setHeader("Connection", "close");
    }
    tracker.enter();
    try {
      chain.doFilter(request, response);
    } finally {
      if (!handedToAsync(httpRequest)) {
        if (lifecycle.isDraining() && !httpResponse.isCommitted()) {
          // Started before the drain, finishing during it: still tell the client to go.
          httpResponse.setHeader("Connection", "close");
        }
        tracker.exit();
      }
    }
  }

  /** Whether the request went asynchronous, in which case a listener now owns its exit. */
  private boolean handedToAsync(HttpServletRequest request) {
    if (!request.isAsyncStarted()) {
      return false;
    }
    try {
      // Still inside the dispatch that called startAsync: the container delays any complete()
      // made meanwhile until this dispatch returns, so the listener cannot miss the end.
      request.getAsyncContext().addListener(new ExitOnce(tracker));
      return true;
    } catch (IllegalStateException e) {
      // The async cycle ended already (completed or dispatched away): the request is over.
      return false;
    }
  }

  @Override
  public String toString() {
    return "InflightFilter{" + tracker + '}';
  }

  /** Calls {@link InflightTracker#exit()} once, on the first event that ends the request. */
  private static final class ExitOnce implements AsyncListener {
    private final InflightTracker tracker;
    private final AtomicBoolean exited = new AtomicBoolean();

    ExitOnce(InflightTracker tracker) {
      this.tracker = tracker;
    }

    private void exit() {
      if (exited.compareAndSet(false, true)) {
        tracker.exit();
      }
    }

    @Override
    public void onComplete(AsyncEvent event) {
      exit();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      exit();
    }

    @Override
    public void onError(AsyncEvent event) {
      exit();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      // A new async cycle (startAsync again after a dispatch) drops its listeners: stay on it.
      if (!exited.get()) {
        event.getAsyncContext().addListener(this);
      }
    }
  }
}
