package dev.probekit.netty;

import dev.probekit.core.ProbeResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.Map;

/** Translates a {@link ProbeResponse} into a Netty response, without copying its body. */
final class NettyResponses {
  // Header names in canonical case, as every other server of the contract writes them (Netty's
  // HttpHeaderNames are lower case, which HTTP/1.1 allows but clients and tests compare).
  static final AsciiString CONTENT_LENGTH = AsciiString.cached("Content-Length");
  static final AsciiString CONNECTION = AsciiString.cached("Connection");

  private NettyResponses() {}

  /**
   * A full response carrying every header of {@code response}, a Content-Length of its GET body
   * (also for HEAD), and its body bytes wrapped, not copied. The wrapper is unpooled and owned by
   * the returned message, which the codec releases once encoded.
   *
   * @param keepAlive whether the connection stays open; if not, {@code Connection: close}
   */
  static FullHttpResponse toNetty(ProbeResponse response, HttpVersion version, boolean keepAlive) {
    ByteBuf content =
        response.bodyLength() == 0
            ? Unpooled.EMPTY_BUFFER
            : Unpooled.wrappedBuffer(response.bodyBuffer());
    HttpResponseStatus status = HttpResponseStatus.valueOf(response.status());
    FullHttpResponse res = new DefaultFullHttpResponse(version, status, content);
    HttpHeaders headers = res.headers();
    List<Map.Entry<String, String>> list = response.headers();
    for (int i = 0; i < list.size(); i++) {
      Map.Entry<String, String> header = list.get(i);
      headers.add(header.getKey(), header.getValue());
    }
    if (response.status() != 304) {
      // A 304 has no body; a Content-Length there would have to be the 200's.
      headers.setInt(CONTENT_LENGTH, response.contentLength());
    }
    if (!keepAlive) {
      headers.set(CONNECTION, HttpHeaderValues.CLOSE);
    } else if (!version.isKeepAliveDefault()) {
      // HTTP/1.0 closes by default: say we keep it open, as the client asked.
      headers.set(CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return res;
  }
}
