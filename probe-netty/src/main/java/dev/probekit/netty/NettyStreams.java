package dev.probekit.netty;

import dev.probekit.core.lifecycle.StreamRegistry;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

/**
 * Joins a chunked HTTP stream on a Netty channel (server-sent events, a long poll) to a {@link
 * StreamRegistry}, so the drain ends it at stop-accepting instead of waiting for the client to
 * hang up.
 *
 * <pre>{@code
 * StreamRegistry.Stream stream;
 * try {
 *   stream = NettyStreams.track(streams, ctx.channel());
 * } catch (IllegalStateException draining) {
 *   // answer 503 with Connection: close
 *   return;
 * }
 * ctx.writeAndFlush(new DefaultHttpResponse(HTTP_1_1, OK, headers)); // then chunks
 * }</pre>
 */
public final class NettyStreams {
  private NettyStreams() {}

  /**
   * Registers the stream on {@code channel}. Its end action, on the channel's event loop, writes
   * {@link LastHttpContent#EMPTY_LAST_CONTENT} (the terminating chunk) and closes the channel at
   * once (what a peer that stopped reading has not taken is dropped); the
   * registration is closed when the channel closes, whatever closed it.
   *
   * @param streams the registry (a drain participant)
   * @param channel the connection carrying the stream's response
   * @return the registration (closing it yourself is allowed, and idempotent)
   * @throws IllegalStateException if the registry is draining: answer {@code 503} and write no
   *     stream
   */
  public static StreamRegistry.Stream track(StreamRegistry streams, Channel channel) {
    Objects.requireNonNull(streams, "streams");
    Objects.requireNonNull(channel, "channel");
    StreamRegistry.Stream stream = streams.open(() -> end(channel));
    // Fires at once if the channel is already closed.
    channel.closeFuture().addListener(closed -> stream.close());
    return stream;
  }

  private static void end(Channel channel) {
    try {
      channel
          .eventLoop()
          .execute(
              () -> {
                channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                // Close now, not when the write completes: a peer that reads has the last chunk in
                // its socket already (the flush on the event loop wrote it); one that stopped
                // reading would otherwise keep the write, the channel and the stream open.
                channel.close();
              });
    } catch (RejectedExecutionException loopShutDown) {
      // The event loop is gone, and with it the channel: its close future closes the registration.
    }
  }
}
