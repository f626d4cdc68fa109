package dev.probekit.spring.internal;

import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.ProbeResponse;
import dev.probekit.core.ProbeWatch;
import dev.probekit.core.internal.RequestTargets;
import dev.probekit.core.internal.TargetRequest;
import dev.probekit.core.lifecycle.InflightTracker;
import dev.probekit.core.lifecycle.Lifecycle;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Answers the probe paths on the main WebFlux port ahead of every handler, counts every other
 * exchange into the {@link InflightTracker} until it completes, and adds {@code Connection:
 * close} while draining.
 */
public final class ProbeWebFilter implements WebFilter, Ordered {

  private final ProbeEndpoints endpoints;
  private final boolean serveProbes;
  private final Lifecycle lifecycle;
  private final InflightTracker inflight;

  /**
   * A filter serving {@code endpoints} (when {@code serveProbes}) and counting every other request
   * into {@code lifecycle}'s tracker (when there is a lifecycle).
   *
   * @param endpoints the contract; its prefix is relative to {@code spring.webflux.base-path}
   * @param serveProbes whether probe paths are answered here
   * @param lifecycle the lifecycle to count into, or null
   */
  public ProbeWebFilter(ProbeEndpoints endpoints, boolean serveProbes, Lifecycle lifecycle) {
    this.endpoints = endpoints;
    this.serveProbes = serveProbes;
    this.lifecycle = lifecycle;
    this.inflight = lifecycle == null ? null : lifecycle.inflight();
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    ServerHttpRequest request = exchange.getRequest();
    ServerHttpResponse response = exchange.getResponse();
    if (lifecycle != null && lifecycle.isDraining()) {
      response.getHeaders().set(HttpHeaders.CONNECTION, "close");
    }
    if (serveProbes) {
      // Within spring.webflux.base-path, which Boot's ContextPathCompositeHandler has already
      // matched (a request outside it never reaches a filter).
      String target = RawTarget.of(request);
      String path =
          RequestTargets.withinContext(
              target == null ? request.getURI().getRawPath() : RequestTargets.rawPath(target),
              request.getPath().contextPath().value());
      if (endpoints.matches(path)) {
        Request probeRequest =
            new Request(
                request,
                path,
                target == null ? request.getURI().getRawQuery() : RequestTargets.rawQuery(target));
        // Requests that come while draining are answered at once, as released watchers are.
        ProbeWatch watch = draining() ? null : endpoints.watch(probeRequest);
        if (watch != null) {
          return park(watch).flatMap(answer -> {
            if (draining()) {
              response.getHeaders().set(HttpHeaders.CONNECTION, "close");
            }
            return write(answer, response);
          });
        }
        return write(endpoints.handle(probeRequest), response);
      }
    }
    if (inflight == null) {
      return chain.filter(exchange);
    }
    inflight.enter();
    return chain.filter(exchange).doFinally(signal -> inflight.exit());
  }

  private boolean draining() {
    return lifecycle != null && lifecycle.isDraining();
  }

  /**
   * A long-poll as a Mono that holds no thread: a status change (or the drain's start) hands a
   * look-again to Reactor's parallel scheduler; Reactor's timer answers {@link
   * ProbeWatch#answer()} (a 304, or the new status) when the wait is over.
   */
  private Mono<ProbeResponse> park(ProbeWatch watch) {
    Mono<ProbeResponse> changed =
        Mono.create(
            sink -> {
              Runnable lookAgain =
                  () -> {
                    ProbeResponse answer = watch.poll(draining());
                    if (answer != null) {
                      sink.success(answer);
                    }
                  };
              watch.subscribe(() -> Schedulers.parallel().schedule(lookAgain));
              sink.onDispose(watch::cancel);
              // A change between watch() and subscribe() would otherwise go unseen.
              Schedulers.parallel().schedule(lookAgain);
            });
    return changed.timeout(watch.timeout(), Mono.fromSupplier(watch::answer));
  }

  private static Mono<Void> write(ProbeResponse probe, ServerHttpResponse response) {
    response.setStatusCode(HttpStatusCode.valueOf(probe.status()));
    HttpHeaders headers = response.getHeaders();
    for (Map.Entry<String, String> h : probe.headers()) {
      headers.set(h.getKey(), h.getValue());
    }
    if (probe.status() != 304) {
      // A 304 has no body; a Content-Length there would have to be the 200's.
      headers.setContentLength(probe.contentLength());
    }
    if (probe.isHead() || probe.status() == 304) {
      return response.setComplete();
    }
    DataBuffer buffer = response.bufferFactory().wrap(probe.body());
    return response.writeWith(Mono.just(buffer));
  }

  /**
   * The exchange's request with the path and query as the client sent them (see {@link RawTarget}
   * for why not {@code getURI()}, which is the fallback when the server is not known here).
   */
  private static final class Request extends TargetRequest {
    private final ServerHttpRequest request;

    Request(ServerHttpRequest request, String rawPath, String rawQuery) {
      super(request.getMethod().name(), rawPath, rawQuery);
      this.request = request;
    }

    @Override
    public String header(String name) {
      return request.getHeaders().getFirst(name);
    }
  }
}
