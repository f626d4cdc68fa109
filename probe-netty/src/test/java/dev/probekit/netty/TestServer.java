package dev.probekit.netty;

import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real Netty HTTP/1.1 server on a random loopback port, with the pipeline a user would build:
 * {@code HttpServerCodec}, optionally an aggregator (before or after the probe handler), the
 * {@link ProbeHandler}, optionally the drain handler, and the {@link AppHandler}, which offloads its
 * work to the application's executor group.
 */
final class TestServer implements AutoCloseable {

  /** Where the HttpObjectAggregator goes, if anywhere. */
  enum Aggregation {
    NONE,
    BEFORE_PROBES,
    AFTER_PROBES
  }

  final ProbeEndpoints endpoints;
  final EventLoopGroup boss;
  final EventLoopGroup workers;
  final EventExecutorGroup app;
  final NettyDrain drain;
  final Channel serverChannel;
  final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  final AtomicInteger appRequests = new AtomicInteger();
  final AtomicInteger blocked = new AtomicInteger();
  /** Final responses the application finished writing, successfully or not. */
  final AtomicInteger responsesDone = new AtomicInteger();
  final Set<String> appThreads = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Void> gate = new CompletableFuture<>();

  private TestServer(
      ProbeEndpoints endpoints,
      Aggregation aggregation,
      Lifecycle lifecycle,
      int workerThreads,
      int appThreads,
      boolean appOnExecutorGroup,
      Function<TestServer, ChannelHandler> application) {
    this.endpoints = endpoints;
    this.boss = new MultiThreadIoEventLoopGroup(1, threads("test-boss"), NioIoHandler.newFactory());
    this.workers =
        new MultiThreadIoEventLoopGroup(
            workerThreads, threads("test-worker"), NioIoHandler.newFactory());
    this.app = new DefaultEventExecutorGroup(appThreads, threads("test-app"));
    this.drain = lifecycle == null ? null : NettyDrain.of(lifecycle);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            // As docs/netty.md advises for a public port: a fixed send buffer, so a peer that does
            // not read makes the channel unwritable after a bounded amount (Linux would otherwise
            // grow it to 4 MiB, and the backpressure tests would depend on the kernel's tuning).
            .childOption(ChannelOption.SO_SNDBUF, 64 * 1024)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.add(ch);
                    ChannelPipeline p = ch.pipeline();
                    p.addLast(new HttpServerCodec());
                    if (aggregation == Aggregation.BEFORE_PROBES) {
                      p.addLast(new HttpObjectAggregator(1 << 20));
                    }
                    p.addLast(
                        lifecycle == null
                            ? ProbeHandler.of(endpoints)
                            : ProbeHandler.of(endpoints, lifecycle::isDraining));
                    if (aggregation == Aggregation.AFTER_PROBES) {
                      p.addLast(new HttpObjectAggregator(1 << 20));
                    }
                    if (drain != null) {
                      p.addLast(drain.newHandler());
                    }
                    if (appOnExecutorGroup) {
                      addOnExecutorGroup(p, application.apply(TestServer.this));
                    } else {
                      p.addLast(application.apply(TestServer.this));
                    }
                  }
                });
    this.serverChannel =
        bootstrap.bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
  }

  static TestServer start(ProbeEndpoints endpoints, Aggregation aggregation) {
    return new TestServer(endpoints, aggregation, null, 2, 2, false, AppHandler::new);
  }

  /**
   * A server whose application handler itself runs on the application's executor group, the way
   * Netty 4.1 pipelines did it (deprecated in 4.2, still common).
   */
  static TestServer startWithAppOnExecutorGroup(ProbeEndpoints endpoints, Lifecycle lifecycle) {
    return new TestServer(
        endpoints, Aggregation.NONE, lifecycle, 2, 2, true, AppHandler::new);
  }

  @SuppressWarnings("deprecation")
  private void addOnExecutorGroup(ChannelPipeline p, ChannelHandler handler) {
    p.addLast(app, handler);
  }

  /**
   * A server whose application answers 404 to everything: what the contract kit expects of "the
   * server's own 404".
   */
  static TestServer startWith404(ProbeEndpoints endpoints, Aggregation aggregation) {
    FallbackHandler notFound = new FallbackHandler();
    return new TestServer(endpoints, aggregation, null, 2, 2, false, server -> notFound);
  }

  static TestServer start(
      ProbeEndpoints endpoints,
      Aggregation aggregation,
      Lifecycle lifecycle,
      int workerThreads,
      int appThreads) {
    return new TestServer(
        endpoints, aggregation, lifecycle, workerThreads, appThreads, false, AppHandler::new);
  }

  private static DefaultThreadFactory threads(String name) {
    return new DefaultThreadFactory(name, true);
  }

  int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  CompletableFuture<Void> gate() {
    return gate;
  }

  /** Lets every request waiting on {@code ?gate} or {@code ?block} be answered. */
  void openGate() {
    gate.complete(null);
  }

  @Override
  public void close() {
    openGate();
    if (!workers.isShuttingDown()) {
      // Connections first, while every executor their pipelines use is alive; then the event
      // loops, with a quiet period for the pipelines' teardown tasks; then the application's.
      serverChannel.close().syncUninterruptibly();
      connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(20, 2_000, TimeUnit.MILLISECONDS);
    boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    app.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
