package dev.probekit.netty;

import dev.probekit.core.ProbeRequest;
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
final class HttpRequestView implements ProbeRequest {
  private final String method;
  private final String rawPath;
  private final String rawQuery;
  private final HttpHeaders headers;
  private final HttpVersion version;
  private final boolean keepAlive;

  private HttpRequestView(HttpRequest request, String rawPath, String rawQuery) {
    this.method = request.method().name();
    this.rawPath = rawPath;
    this.rawQuery = rawQuery;
    this.headers = request.headers();
    this.version = request.protocolVersion();
    this.keepAlive = HttpUtil.isKeepAlive(request);
  }

  /**
   * A view of {@code request}, whose raw path is {@code rawPath} as returned by {@link
   * #rawPath(String)}.
   */
  static HttpRequestView of(HttpRequest request, String rawPath) {
    String uri = request.uri();
    int q = uri.indexOf('?');
    String query = null;
    if (q >= 0) {
      int end = uri.indexOf('#', q);
      query = uri.substring(q + 1, end < 0 ? uri.length() : end);
    }
    return new HttpRequestView(request, rawPath, query);
  }

  /**
   * The raw path of a request target: origin form ({@code /readyz?verbose}) or absolute form
   * ({@code http://host/readyz}), without query or fragment; the target itself when it has neither,
   * so the common case allocates nothing.
   */
  static String rawPath(String uri) {
    int start = 0;
    if (!uri.startsWith("/")) {
      // Absolute form is rare on a server (proxies send it), but RFC 9112 says to accept it.
      int scheme = uri.indexOf("://");
      if (scheme < 0) {
        return uri; // "*" or garbage: never a probe path
      }
      int slash = uri.indexOf('/', scheme + 3);
      if (slash < 0) {
        return "/";
      }
      start = slash;
    }
    int end = uri.length();
    for (int i = start; i < end; i++) {
      char c = uri.charAt(i);
      if (c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    return start == 0 && end == uri.length() ? uri : uri.substring(start, end);
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String rawPath() {
    return rawPath;
  }

  @Override
  public String rawQuery() {
    return rawQuery;
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

  @Override
  public String toString() {
    return method + ' ' + rawPath + (rawQuery == null ? "" : "?" + rawQuery);
  }
}
