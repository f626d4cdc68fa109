package dev.probekit.spring.internal;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.util.ClassUtils;
import reactor.netty.http.server.HttpServerRequest;

/**
 * The request target exactly as the client sent it, for WebFlux on Reactor Netty or on a servlet
 * container. Spring's {@code ServerHttpRequest.getURI()} is a re-encoded {@code java.net.URI}: a
 * malformed escape such as {@code ?exclude=%zz} arrives as {@code %25zz}, which the probe would
 * read as a valid check name instead of answering 400. Each server's classes are touched only when
 * present.
 */
final class RawTarget {

  private static final ClassLoader LOADER = RawTarget.class.getClassLoader();
  private static final boolean NETTY =
      ClassUtils.isPresent("reactor.netty.http.server.HttpServerRequest", LOADER);
  private static final boolean SERVLET =
      ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest", LOADER);

  private RawTarget() {}

  /** The raw request target ("/readyz?verbose"), or null when the server is not known here. */
  static String of(ServerHttpRequest request) {
    Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
    if (NETTY) {
      String target = Netty.target(nativeRequest);
      if (target != null) {
        return target;
      }
    }
    return SERVLET ? Servlet.target(nativeRequest) : null;
  }

  private static final class Netty {
    static String target(Object nativeRequest) {
      return nativeRequest instanceof HttpServerRequest netty ? netty.uri() : null;
    }
  }

  private static final class Servlet {
    static String target(Object nativeRequest) {
      if (nativeRequest instanceof HttpServletRequest servlet) {
        String query = servlet.getQueryString();
        return query == null ? servlet.getRequestURI() : servlet.getRequestURI() + "?" + query;
      }
      return null;
    }
  }
}
