package dev.probekit.benchmarks.http;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.netty.ProbeHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * One Netty 4.2 HTTP/1.1 server: {@code HttpServerCodec}, then {@link ProbeHandler} (answers
 * {@code /readyz} on the event loop), then {@link ConstantOkHandler} (answers everything else,
 * {@code /ok} here, with the same bytes): both paths share the server, its loops and its codec.
 */
final class NettyStack implements Stack {
  private final HealthRegistry health;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel channel;

  NettyStack() {
    health = BuiltInStack.readyHealth();
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);
    boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    ChannelHandler ok = new ConstantOkHandler();
    channel = bind(boss, workers, p -> p.addLast(new HttpServerCodec())
        .addLast(ProbeHandler.of(endpoints))
        .addLast(ok));
  }

  static Channel bind(EventLoopGroup boss, EventLoopGroup workers,
      Consumer<io.netty.channel.ChannelPipeline> pipeline) {
    try {
      return new ServerBootstrap()
          .group(boss, workers)
          .channel(NioServerSocketChannel.class)
          .childHandler(
              new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                  pipeline.accept(ch.pipeline());
                }
              })
          .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
          .sync()
          .channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding", e);
    }
  }

  @Override
  public String name() {
    return "Netty 4.2 (ProbeHandler on the event loop)";
  }

  @Override
  public InetSocketAddress probeAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public String probePath() {
    return "/readyz";
  }

  @Override
  public InetSocketAddress okAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public String okPath() {
    return "/ok";
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    health.close();
  }
}
