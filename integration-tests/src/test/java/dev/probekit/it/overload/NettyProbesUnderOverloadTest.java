package dev.probekit.it.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.Status;
import dev.probekit.netty.ProbeHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Netty with probe-netty's {@link ProbeHandler} in the application's own pipeline (same port),
 * the application's handler on its own {@link EventExecutorGroup}: with every application thread
 * busy on slow requests, probes answered on the event loop stay far inside the kubelet's 1 s
 * timeout and liveness stays UP. Prints p50/p99.
 */
class NettyProbesUnderOverloadTest {
  private static final int APP_THREADS = 4;
  private static final Duration MEASURE = Duration.ofSeconds(5);

  private final AtomicInteger busy = new AtomicInteger();
  private final AtomicInteger maxBusy = new AtomicInteger();
  private HealthRegistry health;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private EventExecutorGroup app;
  private Channel server;
  private volatile boolean stop;

  @BeforeEach
  void start() throws InterruptedException {
    health = HealthRegistry.builder().build();
    health.register("ping", CheckResult::up, CheckOptions.of(Probe.LIVENESS, Probe.READINESS));
    await().atMost(Duration.ofSeconds(5)).until(() -> health.snapshot(Probe.READINESS).status() == Status.UP);
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);
    boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    app = new DefaultEventExecutorGroup(APP_THREADS);
    server =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(ProbeHandler.of(endpoints))
                        .addLast(new HttpObjectAggregator(1 << 16))
                        .addLast(app, new SlowApp());
                  }
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .sync()
            .channel();
  }

  @AfterEach
  void stop() throws InterruptedException {
    stop = true;
    server.close().sync();
    app.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    health.close();
  }

  /** 500 ms of "work" per request: one in four spins on the CPU, the others wait downstream. */
  private final class SlowApp extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final AtomicInteger requests = new AtomicInteger();

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      maxBusy.accumulateAndGet(busy.incrementAndGet(), Math::max);
      try {
        boolean spin = request.uri().contains("spin");
        long x = Overload.work(spin, () -> stop);
        requests.incrementAndGet();
        FullHttpResponse response =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK,
                Unpooled.copiedBuffer("done " + (x & 1), StandardCharsets.US_ASCII));
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        ctx.writeAndFlush(response);
      } finally {
        busy.decrementAndGet();
      }
    }
  }

  @Test
  void probesOnTheEventLoopAnswerWithinTheKubeletTimeoutWhileEveryAppThreadIsBusy() throws Exception {
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    // Three keep-alive connections per application thread, each sending slow requests back to
    // back: every application thread always has work queued.
    ExecutorService clients = Executors.newFixedThreadPool(APP_THREADS * 3);
    long loadEnd = System.nanoTime() + MEASURE.plusSeconds(2).toNanos();
    for (int i = 0; i < APP_THREADS * 3; i++) {
      String path = i == 0 ? "/work?spin" : "/work?sleep";
      clients.submit(() -> keepAliveLoad(port, path, loadEnd));
    }
    await("every application thread busy").atMost(Duration.ofSeconds(5)).until(() -> busy.get() == APP_THREADS);

    Overload.Samples samples = Overload.sample(port, busy::get, APP_THREADS, MEASURE);
    stop = true;
    clients.shutdown();
    assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

    samples.print(
        "Netty ProbeHandler",
        String.format(
            "%d app threads saturated in %d of %d samples",
            APP_THREADS, samples.saturated(), samples.rounds()));
    assertThat(maxBusy.get()).isEqualTo(APP_THREADS);
    samples.assertProbesStayedUpAndFast();
  }

  private Void keepAliveLoad(int port, String path, long end) {
    byte[] request =
        ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(30_000);
      var in = new java.io.BufferedInputStream(socket.getInputStream());
      while (System.nanoTime() < end && !stop) {
        socket.getOutputStream().write(request);
        // Read one response: headers up to the blank line, then Content-Length bytes.
        int length = -1;
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
          if (b == '\n') {
            String text = line.toString().trim();
            if (text.isEmpty()) {
              break;
            }
            if (text.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
              length = Integer.parseInt(text.substring(15).trim());
            }
            line.setLength(0);
          } else {
            line.append((char) b);
          }
        }
        if (b < 0 || length < 0 || in.readNBytes(length).length != length) {
          return null;
        }
      }
    } catch (IOException e) {
      // The server is stopped at the end of the test while requests still wait.
    }
    return null;
  }
}
