package dev.probekit.docs;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.netty.EventLoopStallCheck;
import dev.probekit.netty.NettyDrain;
import dev.probekit.netty.NettyProbeServer;
import dev.probekit.netty.NettyShutdown;
import dev.probekit.netty.ProbeHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The Netty samples of README.md and docs/netty.md. */
final class NettySnippets {

  private NettySnippets() {}

  static void completeServer(Pool pool) throws InterruptedException {
    // tag::server[]
    HealthRegistry health = HealthRegistry.builder().build();
    health.register("db", () -> pool.ping() ? CheckResult.up() : CheckResult.down("no ping"),
        CheckOptions.of(Probe.READINESS));
    Lifecycle lifecycle = Lifecycle.builder(health).build();
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);

    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    EventExecutorGroup appExecutors = new DefaultEventExecutorGroup(16); // the application's threads
    NettyDrain drain = NettyDrain.of(lifecycle); // one per server

    Channel server = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            // tag::pipeline[]
            ch.pipeline()
                .addLast(new HttpServerCodec())
                .addLast(ProbeHandler.of(endpoints, lifecycle::isDraining)) // probes, on the event loop
                .addLast(drain.newHandler())                 // counts every other request
                .addLast(new HttpObjectAggregator(1 << 20))  // optional; before or after the two above
                .addLast(new MyAppHandler(appExecutors));    // your handler; offloads slow work
            // end::pipeline[]
          }
        })
        .bind(8080).sync().channel();

    // Optional: the probes on their own port and event loop, open until the end of the drain.
    NettyProbeServer probes = NettyProbeServer.builder(endpoints).port(8081)
        .lifecycle(lifecycle).start();
    lifecycle.addShutdownTask("probe-server", probes::close);         // registered first: closes last
    NettyShutdown.of(lifecycle, server, boss, workers, appExecutors); // loops first, then executors

    health.register("event-loops", EventLoopStallCheck.of("worker", workers),
        CheckOptions.builder(Probe.LIVENESS).timeout(Duration.ofSeconds(3)).failureThreshold(2).build());
    lifecycle.installSignalHandler();
    // end::server[]
  }

  static ServerBootstrap publicPort(
      EventLoopGroup boss, EventLoopGroup workers, ProbeEndpoints endpoints, Lifecycle lifecycle) {
    ConnectionCap connections = new ConnectionCap(1000);
    // tag::public-port[]
    ServerBootstrap b = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        // 3. backpressure: a water mark (the default 32 KiB / 64 KiB is fine) and a fixed send buffer
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 << 10, 64 << 10))
        .childOption(ChannelOption.SO_SNDBUF, 64 << 10)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            connections.accepted(ch);                                   // 4. a connection cap
            ch.pipeline()
                .addLast(new IdleStateHandler(0, 0, 10, TimeUnit.SECONDS)) // 1. idle connections...
                .addLast(new CloseOnIdle())                             //    ...are closed
                .addLast(new HttpServerCodec(new HttpDecoderConfig()    // 2. size limits
                    .setMaxInitialLineLength(8192)
                    .setMaxHeaderSize(8192)))
                .addLast(ProbeHandler.of(endpoints, lifecycle::isDraining))
                .addLast(new HttpObjectAggregator(1 << 20))
                .addLast(new MyApplicationHandler());                   // 5. answers decoder failures
          }
        });
    // end::public-port[]
    return b;
  }

  static NettyProbeServer probeServer(ProbeEndpoints endpoints, Lifecycle lifecycle) {
    // tag::probe-server[]
    NettyProbeServer probes = NettyProbeServer.builder(endpoints)
        .port(8081)
        .requestHeadTimeout(Duration.ofSeconds(1))   // default 1 s
        .idleTimeout(Duration.ofSeconds(10))         // default 10 s
        .maxConnections(128)                         // default 128
        .lifecycle(lifecycle)                        // Connection: close while draining
        .start();
    // end::probe-server[]
    return probes;
  }

  /** The application's connection pool, as far as the sample needs it. */
  interface Pool {
    boolean ping();
  }

  /** The application's handler: hands slow work to its executors. */
  static final class MyAppHandler extends ChannelInboundHandlerAdapter {
    MyAppHandler(EventExecutorGroup executors) {}
  }

  /** The application's last handler. */
  static final class MyApplicationHandler extends ChannelInboundHandlerAdapter {}

  /** Closes a channel on its all-idle event. */
  static final class CloseOnIdle extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (event instanceof IdleStateEvent) {
        ctx.close();
      } else {
        super.userEventTriggered(ctx, event);
      }
    }
  }

  /** Closes new connections past a cap. */
  static final class ConnectionCap {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionCap(int max) {
      this.max = max;
    }

    void accepted(Channel channel) {
      if (open.incrementAndGet() > max) {
        channel.close();
      }
      channel.closeFuture().addListener(f -> open.decrementAndGet());
    }
  }
}
