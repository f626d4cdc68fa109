package dev.probekit.netty;

import dev.probekit.core.internal.RequestTargets;
import dev.probekit.core.internal.TargetRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The parts of a Netty {@link HttpRequest} that {@link dev.probekit.core.ProbeEndpoints} reads.
 *
 * <p>Holds the headers object but never the request's content, so it stays valid after the
 * request is released and can wait in a pipelining queue.
 */
final class HttpRequestView extends TargetRequest {
  private final HttpHeaders headers;
  private final HttpVersion version;
  private final boolean keepAlive;

  private HttpRequestView(HttpRequest request, String rawPath) {
    super(request.method().name(), rawPath, RequestTargets.rawQuery(request.uri()));
    this.headers = request.headers();
    this.version = request.protocolVersion();
    this.keepAlive = HttpUtil.isKeepAlive(request);
  }

  /**
   * A view of {@code request}, whose raw path is {@code rawPath}, as {@link
   * RequestTargets#rawPath(String)} returned it for the request's target.
   */
  static HttpRequestView of(HttpRequest request, String rawPath) {
    return new HttpRequestView(request, rawPath);
  }

  @Override
  public String header(String name) {
    return headers.get(name);
  }

  HttpVersion version() {
    return version;
  }

  /** Whether the client asked to keep the connection open (HTTP/1.1 default, 1.0 opt-in). */
  boolean keepAlive() {
    return keepAlive;
  }
}
