package dev.probekit.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.ParticipantReport;
import dev.probekit.core.lifecycle.ShutdownSummary;
import dev.probekit.core.lifecycle.StreamRegistry;
import dev.probekit.core.testkit.StreamDrainKit;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A chunked server-sent event stream tracked with {@link NettyStreams} ends at drain start. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NettyStreamsTest {
  private static final byte[] TICK = StreamDrainKit.TICK.getBytes(StandardCharsets.UTF_8);
  private static final byte[] BIG = ("data: " + "x".repeat(64 * 1024) + "\n\n").getBytes(StandardCharsets.UTF_8);

  private final HealthRegistry health = HealthRegistry.builder().build();
  private final EventLoopGroup boss =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup workers =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  /** Set once a "/big" stream's writes are pending because the peer does not read. */
  private final AtomicBoolean backedUp = new AtomicBoolean();

  @AfterEach
  void close() {
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    health.close();
  }

  @Test
  void anOpenStreamEndsAtDrainStartAndNewOnesAreRefused() throws Exception {
    Lifecycle lifecycle = StreamDrainKit.lifecycle(health);
    StreamRegistry streams = StreamDrainKit.streams(lifecycle);
    Channel server = start(streams);
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    URI events = URI.create("http://127.0.0.1:" + port + "/events");
    StreamDrainKit.assertStreamEndsAtDrainStart("netty", lifecycle, streams, events);
    server.close().syncUninterruptibly();
  }

  @Test
  void aPeerThatStopsReadingIsCutAtDrainStartNotHeldTillTheBudget() throws Exception {
    Lifecycle lifecycle = StreamDrainKit.lifecycle(health);
    StreamRegistry streams = StreamDrainKit.streams(lifecycle);
    Channel server = start(streams);
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    try (Socket peer = new Socket()) {
      peer.setReceiveBufferSize(4096);
      peer.connect(new InetSocketAddress("127.0.0.1", port));
      peer.getOutputStream()
          .write("GET /big HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      peer.getOutputStream().flush();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> streams.inFlight() == 1);
      // Never read: the server's writes back up (its channel is no longer writable).
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(backedUp::get);

      long t0 = System.nanoTime();
      ShutdownSummary summary = lifecycle.shutdown();
      long shutdownMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      ParticipantReport report = StreamDrainKit.report(summary, "sse");
      System.out.printf("netty slow peer: shutdown() took %d ms; %s%n", shutdownMillis, report);
      assertThat(report.drained()).isEqualTo(1);
      assertThat(report.abandoned()).isZero();
      assertThat(shutdownMillis).as("cut at once, not held for the 2 s budget").isLessThan(1_500);
    }
    server.close().syncUninterruptibly();
  }

  private Channel start(StreamRegistry streams) {
    return new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new SseHandler(streams));
              }
            })
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .syncUninterruptibly()
        .channel();
  }

  /** Answers every request with {@code data: tick} chunks every 100 ms, on the channel's loop. */
  final class SseHandler extends SimpleChannelInboundHandler<HttpRequest> {
    private final StreamRegistry streams;

    SseHandler(StreamRegistry streams) {
      this.streams = streams;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpRequest request) {
      try {
        NettyStreams.track(streams, ctx.channel());
      } catch (IllegalStateException draining) {
        FullHttpResponse refused =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.SERVICE_UNAVAILABLE,
                Unpooled.copiedBuffer("draining\n", StandardCharsets.UTF_8));
        refused.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        HttpUtil.setContentLength(refused, refused.content().readableBytes());
        ctx.writeAndFlush(refused).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      // "/big" writes 64 KiB events, to fill the buffers of a peer that does not read.
      byte[] tick = request.uri().startsWith("/big") ? BIG : TICK;
      HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
      HttpUtil.setTransferEncodingChunked(response, true);
      ctx.writeAndFlush(response);
      ScheduledFuture<?> ticks =
          ctx.executor()
              .scheduleAtFixedRate(
                  () -> {
                    if (tick == BIG) {
                      // As fast as the peer takes it: once it does not, the writes back up.
                      while (ctx.channel().isActive() && ctx.channel().isWritable()) {
                        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(tick)))
                            .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                      }
                      if (ctx.channel().isActive()) {
                        backedUp.set(true);
                      }
                    } else if (ctx.channel().isActive()) {
                      ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(tick)))
                          .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                    }
                  },
                  0,
                  100,
                  TimeUnit.MILLISECONDS);
      ctx.channel().closeFuture().addListener(closed -> ticks.cancel(false));
    }
  }
}
