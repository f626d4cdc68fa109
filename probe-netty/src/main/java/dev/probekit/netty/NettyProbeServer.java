package dev.probekit.netty;

import static dev.probekit.core.internal.Arguments.positive;

import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.internal.Arguments;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.server.ProbeServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The probe contract on its own port, served by Netty with a minimal pipeline ({@code
 * HttpServerCodec}, {@link ProbeHandler}, and a 404 for everything else), for services that want
 * probes off their main port without the JDK server of {@link ProbeServer}.
 *
 * <pre>{@code
 * NettyProbeServer probes =
 *     NettyProbeServer.builder(endpoints).port(8081).lifecycle(lifecycle).start();
 * // closes last, after every shutdown task: probes are answered through the whole drain
 * }</pre>
 *
 * <p>No client can starve the others: a request head (request line and headers, at most 8 KiB,
 * else 414 or 431) must arrive within {@link Builder#requestHeadTimeout(Duration)} of its first
 * byte (default 1 s), a connection idle for {@link Builder#idleTimeout(Duration)} (default 10 s)
 * is closed, and past {@link Builder#maxConnections(int)} open connections (default 128) the
 * oldest is closed to let the new one in. A client that does not read its answers is not read from
 * (see {@link ProbeHandler}) and is closed once idle. The same limits as {@link ProbeServer}.
 *
 * <p>By default it runs on its own single event loop thread, so probes answer however busy the
 * application's loops are; {@link Builder#eventLoopGroup(EventLoopGroup)} shares an existing group
 * instead. Keep it open through the drain (close it last): the kubelet keeps probing liveness while
 * the pod drains.
 */
public final class NettyProbeServer implements AutoCloseable {
  /** Default port: {@value}, as {@link ProbeServer#DEFAULT_PORT}. */
  public static final int DEFAULT_PORT = ProbeServer.DEFAULT_PORT;

  /**
   * Default deadline for a request head from its first byte: 1 s, as {@link
   * ProbeServer#DEFAULT_HEAD_DEADLINE}.
   */
  public static final Duration DEFAULT_REQUEST_HEAD_TIMEOUT = ProbeServer.DEFAULT_HEAD_DEADLINE;

  /**
   * Default time after which a connection that neither reads nor writes is closed: 10 s, as {@link
   * ProbeServer#DEFAULT_IDLE_TIMEOUT}.
   */
  public static final Duration DEFAULT_IDLE_TIMEOUT = ProbeServer.DEFAULT_IDLE_TIMEOUT;

  /**
   * Default most connections open at once: {@value}, as {@link
   * ProbeServer#DEFAULT_MAX_CONNECTIONS}.
   */
  public static final int DEFAULT_MAX_CONNECTIONS = ProbeServer.DEFAULT_MAX_CONNECTIONS;

  /** Longest request line accepted by the codec (414 past it), as the built-in server. */
  private static final int MAX_INITIAL_LINE_LENGTH = 8192;

  /** Most bytes of headers accepted by the codec (431 past them), as the built-in server. */
  private static final int MAX_HEADER_SIZE = 8192;

  /**
   * Outbound bytes past which a connection counts as not writable, and {@link ProbeHandler} stops
   * reading it: a few hundred answers.
   */
  private static final WriteBufferWaterMark WATER_MARK =
      new WriteBufferWaterMark(8 * 1024, 32 * 1024);

  /**
   * Socket buffers of each connection, fixed (no kernel autotuning up to megabytes): room for a
   * few hundred answers, so a client that does not read is paused after little work.
   */
  private static final int SOCKET_BUFFER = 32 * 1024;

  /** Reads of at most 16 KiB: a request head is at most 8 KiB. */
  private static final AdaptiveRecvByteBufAllocator READS =
      new AdaptiveRecvByteBufAllocator(64, 1024, 16 * 1024);

  private final ProbeEndpoints endpoints;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final Channel serverChannel;
  private final ChannelGroup connections;
  private final ConnectionGuard guard;
  private volatile boolean closed;

  private NettyProbeServer(Builder b) {
    this.endpoints = b.endpoints;
    this.ownsGroup = b.group == null;
    this.group =
        ownsGroup
            ? new MultiThreadIoEventLoopGroup(
                1,
                new DefaultThreadFactory("probekit-netty-probes", true),
                NioIoHandler.newFactory())
            : b.group;
    this.connections =
        new DefaultChannelGroup("probekit-probe-connections", GlobalEventExecutor.INSTANCE);
    this.guard = new ConnectionGuard(b.requestHeadTimeout.toNanos(), b.maxConnections);
    BooleanSupplier closeConnections = b.closeConnections;
    long idleNanos = b.idleTimeout.toNanos();
    FallbackHandler fallback = new FallbackHandler();
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .childOption(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
            .childOption(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
            .childOption(ChannelOption.RCVBUF_ALLOCATOR, READS)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.add(ch);
                    guard.accepted(ch);
                    ConnectionGuard.Guard connection = guard.guard();
                    ch.pipeline()
                        .addLast(new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS))
                        .addLast(connection)
                        .addLast(
                            new HttpServerCodec(
                                new HttpDecoderConfig()
                                    .setMaxInitialLineLength(MAX_INITIAL_LINE_LENGTH)
                                    .setMaxHeaderSize(MAX_HEADER_SIZE)))
                        .addLast(connection.heads())
                        .addLast(ProbeHandler.of(endpoints, closeConnections))
                        .addLast(fallback);
                  }
                });
    InetSocketAddress address =
        b.bindAddress == null
            ? new InetSocketAddress(b.port)
            : new InetSocketAddress(b.bindAddress, b.port);
    ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      if (ownsGroup) {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
      Throwable cause = bound.cause();
      throw new UncheckedIOException(
          "cannot start probe server on " + address,
          cause instanceof IOException ? (IOException) cause : new IOException(cause));
    }
    this.serverChannel = bound.channel();
  }

  /**
   * A builder for a server of {@code endpoints}.
   *
   * @param endpoints the contract to serve
   * @return a new builder
   */
  public static Builder builder(ProbeEndpoints endpoints) {
    return new Builder(endpoints);
  }

  /**
   * The port actually bound (useful with port 0).
   *
   * @return the local port
   */
  public int port() {
    return address().getPort();
  }

  /**
   * The address actually bound.
   *
   * @return the local address
   */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** Connections open now (for tests and metrics). */
  int openConnections() {
    return guard.openConnections();
  }

  /**
   * The endpoints served.
   *
   * @return the endpoints
   */
  public ProbeEndpoints endpoints() {
    return endpoints;
  }

  /**
   * Stops: closes the port and every connection, and shuts down its own event loop (not a shared
   * one), waiting at most 2 s. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    if (ownsGroup) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return "NettyProbeServer{" + serverChannel.localAddress() + ", " + endpoints + '}';
  }

  /** Builds and starts a {@link NettyProbeServer}. */
  public static final class Builder {
    private final ProbeEndpoints endpoints;
    private int port = DEFAULT_PORT;
    private InetAddress bindAddress;
    private EventLoopGroup group;
    private BooleanSupplier closeConnections = () -> false;
    private Duration requestHeadTimeout = DEFAULT_REQUEST_HEAD_TIMEOUT;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private Lifecycle lifecycle;

    Builder(ProbeEndpoints endpoints) {
      this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    /**
     * The port; 0 picks a free one (see {@link NettyProbeServer#port()}); default {@value
     * #DEFAULT_PORT}.
     *
     * @param port 0 to 65535
     * @return this builder
     * @throws IllegalArgumentException if {@code port} is out of range
     */
    public Builder port(int port) {
      this.port = Arguments.port(port);
      return this;
    }

    /**
     * The address to bind; default every interface.
     *
     * @param bindAddress the local address, such as the loopback one
     * @return this builder
     */
    public Builder bindAddress(InetAddress bindAddress) {
      this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
      return this;
    }

    /**
     * An existing event loop group to run on (NIO transport), which {@link
     * NettyProbeServer#close()} leaves running; default a dedicated single-thread group of daemon
     * threads.
     *
     * @param group the group; an NIO one
     * @return this builder
     */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.group = Objects.requireNonNull(group, "group");
      return this;
    }

    /**
     * Whether probe answers should carry {@code Connection: close}, asked per answer; pass {@code
     * lifecycle::isDraining}. Default never.
     *
     * @param closeConnections {@code true} when answers should close their connection
     * @return this builder
     */
    public Builder closeConnections(BooleanSupplier closeConnections) {
      this.closeConnections = Objects.requireNonNull(closeConnections, "closeConnections");
      return this;
    }

    /**
     * How long a request head (request line and headers) may take to arrive from its first byte;
     * a connection that has not sent it all by then is closed. Default {@link
     * #DEFAULT_REQUEST_HEAD_TIMEOUT}.
     *
     * @param requestHeadTimeout the timeout, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code requestHeadTimeout} is not positive
     */
    public Builder requestHeadTimeout(Duration requestHeadTimeout) {
      this.requestHeadTimeout = positive("requestHeadTimeout", requestHeadTimeout);
      return this;
    }

    /**
     * How long a connection may neither read nor write before it is closed: a keep-alive
     * connection between requests, or a client that stopped reading its answers. Default {@link
     * #DEFAULT_IDLE_TIMEOUT}.
     *
     * @param idleTimeout the timeout, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code idleTimeout} is not positive
     */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = positive("idleTimeout", idleTimeout);
      return this;
    }

    /**
     * Most connections open at once; a new one past it closes the oldest, so that a fresh probe
     * connection always gets in. Default {@value #DEFAULT_MAX_CONNECTIONS}.
     *
     * @param maxConnections the limit, at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code maxConnections} is below 1
     */
    public Builder maxConnections(int maxConnections) {
      Arguments.atLeastOne("maxConnections", maxConnections);
      this.maxConnections = maxConnections;
      return this;
    }

    /**
     * Ties the server to {@code lifecycle}, as {@link ProbeServer.Builder#lifecycle(Lifecycle)}
     * does: answers carry {@code Connection: close} while it drains (this replaces {@link
     * #closeConnections(BooleanSupplier)}), long-poll watchers are released when it starts to
     * drain, and {@link #start()} registers the server with {@link Lifecycle#closeLast(String,
     * AutoCloseable)}, so it closes after every shutdown task and probes are answered through the
     * whole drain.
     *
     * @param lifecycle the service's lifecycle
     * @return this builder
     */
    public Builder lifecycle(Lifecycle lifecycle) {
      Objects.requireNonNull(lifecycle, "lifecycle");
      this.closeConnections = lifecycle::isDraining;
      this.lifecycle = lifecycle;
      return this;
    }

    /**
     * Binds and starts the server.
     *
     * @return the running server
     * @throws UncheckedIOException if the port cannot be bound
     */
    public NettyProbeServer start() {
      NettyProbeServer server = new NettyProbeServer(this);
      if (lifecycle != null) {
        lifecycle.closeLast("probe-server", server);
        // Long-poll watchers are released at drain start, even when no status changes then.
        lifecycle.wakeWatchersAtDrainStart(endpoints);
      }
      return server;
    }
  }
}
