package dev.probekit.grpc;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.internal.Arguments;
import dev.probekit.core.lifecycle.Lifecycle;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gRPC server of its own (grpc-java on its shaded Netty, plaintext) that serves only {@link
 * ProbeHealthService}: the target of Kubernetes' {@code grpc:} probes when the application's own
 * port is TLS-only, behind a mesh, or not gRPC at all.
 *
 * <pre>{@code
 * GrpcProbeServer probes = GrpcProbeServer.builder(health).port(8082).lifecycle(lifecycle).start();
 * }</pre>
 *
 * <p>Hardened for a port anyone in the cluster can reach: requests over {@value
 * #MAX_REQUEST_BYTES} bytes or with more than {@value #MAX_METADATA_BYTES} bytes of headers are
 * refused, connections idle for {@link #DEFAULT_MAX_CONNECTION_IDLE} are closed (the kubelet opens
 * a connection per probe), at most {@value #MAX_CALLS_PER_CONNECTION} calls run at once on one
 * connection, and watchers are capped by the service. Calls run on the transport's event loop:
 * {@code Check} is a volatile read, and {@code Watch} only registers a listener.
 *
 * <p>With a {@link Lifecycle} the server closes last, after every shutdown task, so probes are
 * answered through the whole drain; its watchers then get NOT_SERVING and are completed.
 */
public final class GrpcProbeServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GrpcProbeServer.class);

  /** Default port: {@value}, next to the HTTP probe server's 8081. */
  public static final int DEFAULT_PORT = 8082;

  /** Default idle time after which a connection is closed: 1 min. */
  public static final Duration DEFAULT_MAX_CONNECTION_IDLE = Duration.ofMinutes(1);

  /** Largest request message accepted: {@value} bytes (a service name is at most 64). */
  public static final int MAX_REQUEST_BYTES = 1024;

  /** Largest request header block accepted: {@value} bytes. */
  public static final int MAX_METADATA_BYTES = 8192;

  /** Concurrent calls per connection: {@value}. */
  public static final int MAX_CALLS_PER_CONNECTION = 64;

  /** Receive window per stream: requests are tiny, so a small window bounds buffers. */
  private static final int FLOW_CONTROL_WINDOW = 64 * 1024;

  private final Server server;
  private final ProbeHealthService service;
  private final boolean ownsService;

  private GrpcProbeServer(Server server, ProbeHealthService service, boolean ownsService) {
    this.server = server;
    this.service = service;
    this.ownsService = ownsService;
  }

  /**
   * A builder for a probe server answering from {@code health}.
   *
   * @param health the registry
   * @return a new builder
   */
  public static Builder builder(HealthRegistry health) {
    return new Builder(health);
  }

  /** {@return the port it listens on (the real one when built with port 0)} */
  public int port() {
    return server.getPort();
  }

  /** {@return the health service it serves} */
  public ProbeHealthService service() {
    return service;
  }

  /**
   * Completes the watchers (final status NOT_SERVING), stops the server within 2 s (then
   * cancels what is left) and closes the service if the builder created it. Idempotent.
   */
  @Override
  public void close() {
    service.completeWatchers();
    server.shutdown();
    try {
      if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      if (ownsService) {
        service.close();
      }
    }
  }

  @Override
  public String toString() {
    return "GrpcProbeServer{port=" + server.getPort() + '}';
  }

  /** Builds and starts a {@link GrpcProbeServer}. Each setter checks its argument at once. */
  public static final class Builder {
    private final HealthRegistry health;
    private int port = DEFAULT_PORT;
    private InetAddress bindAddress;
    private Duration maxConnectionIdle = DEFAULT_MAX_CONNECTION_IDLE;
    private ProbeHealthService service;
    private Lifecycle lifecycle;

    Builder(HealthRegistry health) {
      this.health = Objects.requireNonNull(health, "health");
    }

    /**
     * The port; default {@link #DEFAULT_PORT}; 0 picks a free one.
     *
     * @param port the port, or 0
     * @return this builder
     */
    public Builder port(int port) {
      this.port = Arguments.port(port);
      return this;
    }

    /**
     * The address to bind; default every interface.
     *
     * @param bindAddress the address
     * @return this builder
     */
    public Builder bindAddress(InetAddress bindAddress) {
      this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
      return this;
    }

    /**
     * Idle time after which a connection is closed; default {@link #DEFAULT_MAX_CONNECTION_IDLE}.
     *
     * @param maxConnectionIdle the idle time
     * @return this builder
     */
    public Builder maxConnectionIdle(Duration maxConnectionIdle) {
      this.maxConnectionIdle = Arguments.positive("maxConnectionIdle", maxConnectionIdle);
      return this;
    }

    /**
     * The health service to serve, for example one with a different watcher limit; default one
     * built over the registry, closed with the server. A service given here is not closed.
     *
     * @param service the service
     * @return this builder
     */
    public Builder service(ProbeHealthService service) {
      this.service = Objects.requireNonNull(service, "service");
      return this;
    }

    /**
     * Closes the server last in {@code lifecycle}'s sequence ({@link Lifecycle#closeLast}), so
     * probes are answered through the whole drain.
     *
     * @param lifecycle the lifecycle
     * @return this builder
     */
    public Builder lifecycle(Lifecycle lifecycle) {
      this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
      return this;
    }

    /**
     * Binds and starts the server.
     *
     * @return the running server
     * @throws UncheckedIOException if the port cannot be bound
     */
    public GrpcProbeServer start() {
      boolean owns = service == null;
      ProbeHealthService svc = owns ? ProbeHealthService.of(health) : service;
      InetSocketAddress address =
          bindAddress == null ? new InetSocketAddress(port) : new InetSocketAddress(bindAddress, port);
      Server server =
          NettyServerBuilder.forAddress(address)
              .addService(svc)
              .directExecutor()
              .maxInboundMessageSize(MAX_REQUEST_BYTES)
              .maxInboundMetadataSize(MAX_METADATA_BYTES)
              .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
              .maxConnectionIdle(maxConnectionIdle.toMillis(), TimeUnit.MILLISECONDS)
              .flowControlWindow(FLOW_CONTROL_WINDOW)
              .handshakeTimeout(10, TimeUnit.SECONDS)
              .build();
      try {
        server.start();
      } catch (IOException e) {
        if (owns) {
          svc.close();
        }
        throw new UncheckedIOException("cannot start the gRPC probe server on " + address, e);
      }
      GrpcProbeServer probeServer = new GrpcProbeServer(server, svc, owns);
      if (lifecycle != null) {
        lifecycle.closeLast("grpc-probe-server", probeServer);
      }
      log.info("gRPC probe server listening on port {}", server.getPort());
      return probeServer;
    }
  }
}
