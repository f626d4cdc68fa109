package dev.probekit.netty;

import dev.probekit.core.ProbeResponse;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a probe-only pipeline: whatever the {@link ProbeHandler} passed on is not a probe.
 * Answers 404, or a short 4xx for a request the codec could not decode (and then closes, since the
 * decoder has given up on the connection).
 */
@Sharable
final class FallbackHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(FallbackHandler.class);
  private static final ProbeResponse NOT_FOUND = ProbeResponse.text(404, "not found");
  private static final ProbeResponse BAD_REQUEST = ProbeResponse.text(400, "bad request");
  private static final ProbeResponse URI_TOO_LONG = ProbeResponse.text(414, "URI too long");
  private static final ProbeResponse HEADERS_TOO_LARGE =
      ProbeResponse.text(431, "request headers too large");

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (!(msg instanceof HttpRequest)) {
        return; // content of a request already answered
      }
      HttpRequest request = (HttpRequest) msg;
      DecoderResult result = request.decoderResult();
      ProbeResponse response;
      boolean keepAlive;
      if (result.isFailure()) {
        Throwable cause = result.cause();
        response =
            cause instanceof TooLongHttpLineException
                ? URI_TOO_LONG
                : cause instanceof TooLongHttpHeaderException
                    ? HEADERS_TOO_LARGE
                    : BAD_REQUEST;
        keepAlive = false;
        log.debug("undecodable request on the probe port: {}", cause.toString());
      } else {
        response = NOT_FOUND;
        keepAlive = HttpUtil.isKeepAlive(request);
      }
      if ("HEAD".equals(request.method().name())) {
        response = response.forHead();
      }
      ChannelFuture written =
          ctx.writeAndFlush(
              NettyResponses.toNetty(response, request.protocolVersion(), keepAlive));
      if (!keepAlive) {
        written.addListener(ChannelFutureListener.CLOSE);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset connection or similar: nothing to answer, nothing to fix.
    log.debug("probe connection failed: {}", cause.toString());
    ctx.close();
  }
}
