package dev.probekit.benchmarks.http;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.netty.NettyProbeServer;
import dev.probekit.netty.ProbeHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Netty application whose handler runs on its own executors ({@code DefaultEventExecutorGroup}
 * of {@code workers} threads, as docs/netty.md shows), every one busy on {@code /slow}; the
 * probes are answered by {@link ProbeHandler} on the event loop of the same server and port, or,
 * with {@code probeServer}, by a {@link NettyProbeServer} on its own port and event loop thread.
 */
final class NettyOverload implements OverloadScenario {
  private final HealthRegistry health;
  private final EventLoopGroup boss;
  private final EventLoopGroup loops;
  private final EventExecutorGroup app;
  private final Channel channel;
  private final int workers;
  private final AtomicInteger active = new AtomicInteger();
  /** The probes' own server, or null when they share the application's port. */
  private final NettyProbeServer probeServer;

  NettyOverload(int workers, long slowMillis) {
    this(workers, slowMillis, false);
  }

  NettyOverload(int workers, long slowMillis, boolean probeServer) {
    this.workers = workers;
    health = BuiltInStack.readyHealth();
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);
    boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    loops = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    app = new DefaultEventExecutorGroup(workers);
    channel =
        NettyStack.bind(boss, loops, p -> p.addLast(new HttpServerCodec())
            .addLast(ProbeHandler.of(endpoints))
            .addLast(new HttpObjectAggregator(1 << 16))
            .addLast(app, new AppHandler(slowMillis, active)));
    this.probeServer =
        probeServer
            ? NettyProbeServer.builder(endpoints)
                .bindAddress(InetAddress.getLoopbackAddress())
                .port(0)
                .start()
            : null;
  }

  /** The application: {@code /slow} blocks its executor thread, anything else answers at once. */
  private static final class AppHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final long slowMillis;
    private final AtomicInteger active;

    AppHandler(long slowMillis, AtomicInteger active) {
      this.slowMillis = slowMillis;
      this.active = active;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (request.uri().startsWith("/slow")) {
        active.incrementAndGet();
        try {
          SlowWork.sleep(slowMillis);
        } finally {
          active.decrementAndGet();
        }
      }
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              request.protocolVersion(), HttpResponseStatus.OK,
              Unpooled.copiedBuffer("ok", StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      HttpUtil.setContentLength(response, 2);
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      HttpUtil.setKeepAlive(response, keepAlive);
      var f = ctx.writeAndFlush(response);
      if (!keepAlive) {
        f.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
      }
    }
  }

  @Override
  public String name() {
    return probeServer == null
        ? "Netty: ProbeHandler on the event loop, app executors saturated"
        : "Netty: NettyProbeServer on its own port, app executors saturated";
  }

  @Override
  public int workers() {
    return workers;
  }

  @Override
  public InetSocketAddress slowAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public InetSocketAddress probeAddress() {
    return probeServer == null
        ? (InetSocketAddress) channel.localAddress()
        : probeServer.address();
  }

  @Override
  public InetSocketAddress appOkAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public boolean allWorkersBusy() {
    return active.get() >= workers;
  }

  @Override
  public void close() {
    if (probeServer != null) {
      probeServer.close();
    }
    channel.close().syncUninterruptibly();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    app.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    health.close();
  }
}
