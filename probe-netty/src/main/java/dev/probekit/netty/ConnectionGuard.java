package dev.probekit.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limits of {@link NettyProbeServer}'s connections: a deadline for each request head from its
 * first byte, the close of idle connections (on the {@code IdleStateEvent} of an {@code
 * IdleStateHandler} ahead of it), and a cap on open connections, past which the oldest is closed.
 *
 * <p>Per channel: {@link #guard} goes before {@code HttpServerCodec} (it sees the raw bytes), its
 * {@link Guard#heads()} right after it (it sees where each request head ends).
 */
final class ConnectionGuard {
  private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);

  private final long headTimeoutNanos;
  private final int maxConnections;
  /** Open connections, oldest first. */
  private final ConcurrentLinkedDeque<Channel> open = new ConcurrentLinkedDeque<>();

  ConnectionGuard(long headTimeoutNanos, int maxConnections) {
    this.headTimeoutNanos = headTimeoutNanos;
    this.maxConnections = maxConnections;
  }

  /**
   * Counts a new connection and, past the cap, closes the oldest ones: a client holding many
   * connections cannot keep a newcomer (the kubelet opens one per probe) out.
   */
  void accepted(Channel channel) {
    open.addLast(channel);
    channel.closeFuture().addListener(f -> open.remove(channel));
    while (open.size() > maxConnections) {
      Channel oldest = open.pollFirst();
      if (oldest == null) {
        break;
      }
      log.debug("closing {}: more than {} connections open", oldest, maxConnections);
      oldest.close();
    }
  }

  /** Connections open now. */
  int openConnections() {
    return open.size();
  }

  /** The per-channel handler, to add before the codec. */
  Guard guard() {
    return new Guard();
  }

  /** Times request heads and closes idle connections; one per channel. */
  final class Guard extends ChannelInboundHandlerAdapter {
    private ScheduledFuture<?> headDeadline;
    /** Between a request head and its last content: body bytes are not a new head. */
    private boolean inRequest;

    /** The handler that tells this one where request heads end; to add after the codec. */
    ChannelInboundHandlerAdapter heads() {
      return new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          if (msg instanceof HttpRequest) {
            cancelDeadline();
            inRequest = true;
          }
          if (msg instanceof LastHttpContent) {
            inRequest = false;
          }
          ctx.fireChannelRead(msg);
        }
      };
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (headDeadline == null
          && !inRequest
          && msg instanceof ByteBuf
          && ((ByteBuf) msg).isReadable()) {
        // The first byte of a request head: the whole head must follow within the deadline.
        headDeadline =
            ctx.executor()
                .schedule(
                    () -> {
                      log.debug("closing {}: request head not complete in time", ctx.channel());
                      ctx.close();
                    },
                    headTimeoutNanos,
                    TimeUnit.NANOSECONDS);
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        log.debug("closing {}: idle", ctx.channel());
        ctx.close();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      cancelDeadline();
      ctx.fireChannelInactive();
    }

    private void cancelDeadline() {
      if (headDeadline != null) {
        headDeadline.cancel(false);
        headDeadline = null;
      }
    }
  }
}
