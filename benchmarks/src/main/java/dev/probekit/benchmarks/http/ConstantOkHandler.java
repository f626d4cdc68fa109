package dev.probekit.benchmarks.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * Answers every HTTP request with {@code 200 ok}, doing nothing else: the physical limit of a
 * Netty HTTP/1.1 server, the baseline the benchmarks compare probe-netty's {@code ProbeHandler}
 * against.
 *
 * <p>It writes the same bytes a probe answer writes when UP (status, body {@code ok}, the
 * Content-Type, Cache-Control and X-Content-Type-Options headers, Content-Length, keep-alive as the
 * client asks), from a body wrapped once, without evaluating anything. Put it where the probe
 * handler would go, right after {@code HttpServerCodec}, with no aggregator. A benchmark fixture,
 * not for production use.
 *
 * <p>Stateless and {@code @Sharable}.
 */
@Sharable
final class ConstantOkHandler extends ChannelInboundHandlerAdapter {
  private static final AsciiString X_CONTENT_TYPE_OPTIONS =
      AsciiString.cached("X-Content-Type-Options");
  private static final AsciiString CONTENT_TYPE = AsciiString.cached("Content-Type");
  private static final AsciiString CACHE_CONTROL = AsciiString.cached("Cache-Control");
  // Spelled as probe-netty's answers spell them: the same bytes on the wire.
  private static final AsciiString CONTENT_LENGTH = AsciiString.cached("Content-Length");
  private static final AsciiString CONNECTION = AsciiString.cached("Connection");
  private static final AsciiString NOSNIFF = AsciiString.cached("nosniff");
  private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");

  private final ByteBuf body =
      Unpooled.unreleasableBuffer(
          Unpooled.wrappedBuffer("ok".getBytes(StandardCharsets.UTF_8)).asReadOnly());

  /** A handler answering {@code ok} to every request. */
  ConstantOkHandler() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpRequest) {
        HttpRequest request = (HttpRequest) msg;
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        FullHttpResponse response =
            new DefaultFullHttpResponse(
                request.protocolVersion(), HttpResponseStatus.OK, body.duplicate());
        HttpHeaders headers = response.headers();
        headers.set(CONTENT_TYPE, TEXT_PLAIN);
        headers.set(CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        headers.set(X_CONTENT_TYPE_OPTIONS, NOSNIFF);
        headers.setInt(CONTENT_LENGTH, body.readableBytes());
        if (!keepAlive) {
          headers.set(CONNECTION, HttpHeaderValues.CLOSE);
          ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
          if (!request.protocolVersion().isKeepAliveDefault()) {
            headers.set(CONNECTION, HttpHeaderValues.KEEP_ALIVE);
          }
          ctx.writeAndFlush(response);
        }
      }
      // Content parts of requests are dropped: this handler reads nothing.
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }
}
