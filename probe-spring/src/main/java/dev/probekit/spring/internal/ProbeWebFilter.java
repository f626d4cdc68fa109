package dev.probekit.spring.internal;

import dev.probekit.core.InflightTracker;
import dev.probekit.core.Lifecycle;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.ProbeRequest;
import dev.probekit.core.ProbeResponse;
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
      String path = request.getURI().getRawPath();
      if (endpoints.matches(path)) {
        return write(endpoints.handle(new Request(request)), response);
      }
    }
    if (inflight == null) {
      return chain.filter(exchange);
    }
    inflight.enter();
    return chain.filter(exchange).doFinally(signal -> inflight.exit());
  }

  private static Mono<Void> write(ProbeResponse probe, ServerHttpResponse response) {
    response.setStatusCode(HttpStatusCode.valueOf(probe.status()));
    HttpHeaders headers = response.getHeaders();
    for (Map.Entry<String, String> h : probe.headers()) {
      headers.set(h.getKey(), h.getValue());
    }
    headers.setContentLength(probe.contentLength());
    if (probe.isHead()) {
      return response.setComplete();
    }
    DataBuffer buffer = response.bufferFactory().wrap(probe.body());
    return response.writeWith(Mono.just(buffer));
  }

  private static final class Request implements ProbeRequest {
    private final ServerHttpRequest request;

    Request(ServerHttpRequest request) {
      this.request = request;
    }

    @Override
    public String method() {
      return request.getMethod().name();
    }

    @Override
    public String rawPath() {
      return request.getURI().getRawPath();
    }

    @Override
    public String rawQuery() {
      return request.getURI().getRawQuery();
    }

    @Override
    public String header(String name) {
      return request.getHeaders().getFirst(name);
    }
  }
}
