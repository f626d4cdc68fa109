package dev.probekit.netty;

import dev.probekit.core.lifecycle.InflightTracker;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.RejectedExecutionException;

/**
 * The per-channel half of {@link NettyDrain}: counts this connection's application requests into
 * the tracker and adds {@code Connection: close} while draining. Every field is touched on the
 * channel's event loop only.
 */
final class InflightHandler extends ChannelDuplexHandler {
  private final NettyDrain drain;
  private final InflightTracker inflight;
  private final ResponseProgress progress = new ResponseProgress();
  /** Releases the tracker for a request once its response is on the wire. */
  private final ChannelFutureListener onResponseWritten = this::onResponseWritten;

  private ChannelHandlerContext ctx;
  /** Requests whose final response has not started. */
  private int unanswered;
  /** Requests entered into the tracker and not exited yet. */
  private int unfinished;
  /** The response being written carries our {@code Connection: close}: close after it. */
  private boolean closeAfterResponse;
  /** {@code Connection: close} was sent: further requests are dropped (RFC 9112, 9.6). */
  private boolean closing;
  /** Swallowing the content parts of a request dropped because the connection is closing. */
  private boolean dropping;
  /** Whether anything was passed on during the current read, for {@code autoRead=false}. */
  private boolean forwardedInThisRead;

  InflightHandler(NettyDrain drain) {
    this.drain = drain;
    this.inflight = drain.inflight();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    drain.opened(this);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    drain.closed(this);
    exitAll();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    drain.closed(this);
    exitAll();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      if (closing) {
        dropping = !(msg instanceof LastHttpContent);
        ReferenceCountUtil.release(msg);
        return;
      }
      unanswered++;
      unfinished++;
      inflight.enter();
    } else if (dropping && msg instanceof HttpContent) {
      dropping = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      return;
    }
    forwardedInThisRead = true;
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!forwardedInThisRead && !ctx.channel().config().isAutoRead()) {
      ctx.read();
    }
    forwardedInThisRead = false;
    ctx.fireChannelReadComplete();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (ResponseProgress.isFinalResponseHead(msg)) {
      if (unanswered > 0) {
        unanswered--;
      }
      if (unanswered == 0 && drain.isDraining()) {
        // The last outstanding request on this connection: ask the client to go elsewhere.
        ((HttpResponse) msg).headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        closeAfterResponse = true;
        closing = true;
      }
    }
    if (progress.endsFinalResponse(msg)) {
      promise = promise.unvoid().addListener(onResponseWritten);
    }
    ctx.write(msg, promise);
  }

  private void onResponseWritten(ChannelFuture future) {
    // Listeners run on the channel's loop; the handler may live on another executor.
    if (ctx.executor().inEventLoop()) {
      responseWritten();
    } else {
      ctx.executor().execute(this::responseWritten);
    }
  }

  /** A final response is on the wire (or failed): its request is done. */
  private void responseWritten() {
    if (unfinished > 0) {
      unfinished--;
      inflight.exit();
    }
    if (closeAfterResponse && unfinished == 0) {
      closeAfterResponse = false;
      ctx.close();
    } else {
      closeIfIdle();
    }
  }

  void closeIfIdleLater() {
    ChannelHandlerContext c = ctx;
    if (c != null) {
      try {
        c.executor().execute(this::closeIfIdle);
      } catch (RejectedExecutionException ignored) {
        // The loop is shutting down and closes its connections itself.
      }
    }
  }

  private void closeIfIdle() {
    if (drain.closingIdle() && unfinished == 0 && unanswered == 0 && ctx.channel().isActive()) {
      closing = true;
      ctx.close();
    }
  }

  /** The connection is gone: whatever it had in flight is over, each request exactly once. */
  private void exitAll() {
    while (unfinished > 0) {
      unfinished--;
      inflight.exit();
    }
    unanswered = 0;
  }
}
