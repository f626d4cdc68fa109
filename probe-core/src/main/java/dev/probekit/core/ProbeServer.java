package dev.probekit.core;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.probekit.core.internal.DaemonThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in probe server: the JDK's {@code com.sun.net.httpserver} serving {@link
 * ProbeEndpoints} on its own port, bind address and threads, so probes answer even when every
 * application thread is busy, and before the application's own server exists.
 *
 * <pre>{@code
 * ProbeServer server = ProbeServer.builder(ProbeEndpoints.of(health)).port(8081).start();
 * // ... server.close() frees the port
 * }</pre>
 *
 * <p>No dependency beyond probe-core's. Paths outside the contract answer 404.
 *
 * <p>With a {@link Lifecycle} ({@link Builder#lifecycle(Lifecycle)}) responses carry {@code
 * Connection: close} while draining and the server closes last, after every shutdown task, so the
 * kubelet's probes are answered through the whole drain. {@link Builder#preStop(String,
 * Lifecycle)} adds an opt-in endpoint for a Kubernetes {@code lifecycle.preStop.httpGet} hook.
 */
public final class ProbeServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProbeServer.class);

  /** Default port: {@value}. */
  public static final int DEFAULT_PORT = 8081;

  /** Default number of threads: {@value}. */
  public static final int DEFAULT_THREADS = 2;

  private static final ProbeResponse NOT_FOUND = ProbeResponse.text(404, "not found");
  private static final ProbeResponse UNAVAILABLE = ProbeResponse.text(503, "probe unavailable");
  private static final ProbeResponse PRE_STOP_DONE = ProbeResponse.text(200, "pre-stop delay over");
  private static final ProbeResponse PRE_STOP_FAILED = ProbeResponse.text(503, "pre-stop failed");

  /** The JDK server's switch for TCP_NODELAY on accepted connections. */
  static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

  static {
    // The JDK server flushes the response headers and then writes the body as a second small
    // segment; with Nagle's algorithm on, that segment waits for the client's delayed ACK, and
    // every probe with a body took ~40 ms instead of ~1. The JDK reads this property once, when
    // its first HttpServer is created, so it is set here, before ours, unless the user chose.
    if (System.getProperty(NODELAY_PROPERTY) == null) {
      System.setProperty(NODELAY_PROPERTY, "true");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final ProbeEndpoints endpoints;
  private final BooleanSupplier closeConnections;
  private final String preStopPath;
  private final Lifecycle preStopLifecycle;
  private volatile boolean closed;

  private ProbeServer(Builder b) throws IOException {
    this.endpoints = b.endpoints;
    this.closeConnections = b.closeConnections;
    this.preStopPath = b.preStopPath;
    this.preStopLifecycle = b.preStopLifecycle;
    InetSocketAddress address =
        b.bindAddress == null
            ? new InetSocketAddress(b.port)
            : new InetSocketAddress(b.bindAddress, b.port);
    this.server = HttpServer.create(address, b.backlog);
    this.executor =
        new ThreadPoolExecutor(
            b.threads,
            b.threads,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            new DaemonThreadFactory("probekit-probe-server"));
    server.setExecutor(executor);
    server.createContext(
        "/",
        exchange -> {
          if (preStopPath != null && preStopPath.equals(exchange.getRequestURI().getRawPath())) {
            handlePreStop(exchange);
          } else {
            handle(exchange);
          }
        });
    server.start();
  }

  /**
   * A builder for a server of {@code endpoints}.
   *
   * @param endpoints the contract to serve
   */
  public static Builder builder(ProbeEndpoints endpoints) {
    return new Builder(endpoints);
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The address actually bound. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** The endpoints served. */
  public ProbeEndpoints endpoints() {
    return endpoints;
  }

  /** Stops at once, closing every connection and freeing the port. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) {
    try (exchange) {
      ProbeResponse response;
      try {
        URI uri = exchange.getRequestURI();
        ExchangeRequest request = new ExchangeRequest(exchange, uri);
        response = endpoints.matches(uri.getRawPath()) ? endpoints.handle(request) : NOT_FOUND;
        if ("HEAD".equals(exchange.getRequestMethod())) {
          response = response.forHead();
        }
      } catch (RuntimeException e) {
        // ProbeEndpoints never throws by contract; if it does, answer a short 503, never a 500
        // with a stack trace, and leave the cause to the log.
        log.warn("probe request failed", e);
        response = UNAVAILABLE;
      }
      write(exchange, response);
    } catch (IOException e) {
      // The client went away mid-response: nothing to answer, nothing to fix.
      log.debug("probe response not written: {}", e.toString());
    }
  }

  /**
   * Starts the lifecycle's pre-stop half and answers 200 once its delay is over. The answer is
   * written by whichever thread completes the delay, so no server thread is held meanwhile and
   * probes keep being answered.
   */
  private void handlePreStop(HttpExchange exchange) {
    String method = exchange.getRequestMethod();
    if (!"GET".equals(method) && !"POST".equals(method)) {
      try (exchange) {
        exchange.getResponseHeaders().set("Allow", "GET, POST");
        write(exchange, ProbeResponse.text(405, "method not allowed"));
      } catch (IOException e) {
        log.debug("pre-stop response not written: {}", e.toString());
      }
      return;
    }
    log.info("pre-stop hook called: starting the graceful shutdown sequence");
    preStopLifecycle
        .preStopAsync()
        .whenComplete(
            (ignored, error) -> {
              try (exchange) {
                if (error != null) {
                  log.warn("pre-stop failed", error);
                }
                write(exchange, error == null ? PRE_STOP_DONE : PRE_STOP_FAILED);
              } catch (IOException e) {
                // The kubelet gave up waiting; the sequence goes on regardless.
                log.debug("pre-stop response not written: {}", e.toString());
              }
            });
  }

  private void write(HttpExchange exchange, ProbeResponse response) throws IOException {
    Headers headers = exchange.getResponseHeaders();
    for (Map.Entry<String, String> header : response.headers()) {
      headers.set(header.getKey(), header.getValue());
    }
    if (closeConnections.getAsBoolean()) {
      headers.set("Connection", "close");
    }
    if (response.isHead()) {
      exchange.sendResponseHeaders(response.status(), -1);
    } else {
      exchange.sendResponseHeaders(response.status(), response.contentLength());
      response.writeBody(exchange.getResponseBody());
    }
  }

  @Override
  public String toString() {
    return "ProbeServer{" + server.getAddress() + ", " + endpoints + '}';
  }

  /** A {@link ProbeRequest} view of an exchange. */
  private static final class ExchangeRequest implements ProbeRequest {
    private final HttpExchange exchange;
    private final URI uri;

    ExchangeRequest(HttpExchange exchange, URI uri) {
      this.exchange = exchange;
      this.uri = uri;
    }

    @Override
    public String method() {
      return exchange.getRequestMethod();
    }

    @Override
    public String rawPath() {
      return uri.getRawPath();
    }

    @Override
    public String rawQuery() {
      return uri.getRawQuery();
    }

    @Override
    public String header(String name) {
      return exchange.getRequestHeaders().getFirst(name);
    }
  }

  /** Builds and starts a {@link ProbeServer}. */
  public static final class Builder {
    private final ProbeEndpoints endpoints;
    private int port = DEFAULT_PORT;
    private InetAddress bindAddress;
    private int threads = DEFAULT_THREADS;
    private int backlog = 64;
    private BooleanSupplier closeConnections = () -> false;
    private Lifecycle lifecycle;
    private String preStopPath;
    private Lifecycle preStopLifecycle;

    Builder(ProbeEndpoints endpoints) {
      this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    /** The port; 0 picks a free one (see {@link ProbeServer#port()}); default {@value #DEFAULT_PORT}. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
      }
      this.port = port;
      return this;
    }

    /** The address to bind; default every interface. */
    public Builder bindAddress(InetAddress bindAddress) {
      this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
      return this;
    }

    /** Threads answering probes, separate from the application's; default {@value #DEFAULT_THREADS}. */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
      }
      this.threads = threads;
      return this;
    }

    /** The listen backlog; default 64. */
    public Builder backlog(int backlog) {
      if (backlog < 1) {
        throw new IllegalArgumentException("backlog: " + backlog + " (expected: >= 1)");
      }
      this.backlog = backlog;
      return this;
    }

    /**
     * Whether responses should carry {@code Connection: close}, asked per response; the lifecycle
     * sets this while draining so keep-alive clients move away. Default never.
     */
    public Builder closeConnections(BooleanSupplier closeConnections) {
      this.closeConnections = Objects.requireNonNull(closeConnections, "closeConnections");
      return this;
    }

    /**
     * Ties the server to {@code lifecycle}: responses carry {@code Connection: close} while it
     * drains (this replaces {@link #closeConnections(BooleanSupplier)}), and {@link #start()}
     * registers the server with {@link Lifecycle#closeLast(String, AutoCloseable)}, so it closes
     * after every shutdown task and probes are answered through the whole drain.
     *
     * @param lifecycle the service's lifecycle
     */
    public Builder lifecycle(Lifecycle lifecycle) {
      this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
      this.closeConnections = lifecycle::isDraining;
      return this;
    }

    /**
     * Serves a {@code preStop} hook at {@code path} (opt-in; for a pod's {@code
     * lifecycle.preStop.httpGet}): a GET or POST starts {@code lifecycle}'s sequence and is
     * answered {@code 200} once the pre-stop delay is over, so the SIGTERM that the kubelet sends
     * next continues from {@link DrainPhase#STOP_ACCEPTING} without waiting again. Repeated calls
     * wait for the same delay. Other methods get {@code 405}.
     *
     * <p>Only on this server, never on the application's port: anyone who can reach it can start
     * a shutdown.
     *
     * @param path such as {@code "/prestop"}; must not be one of the probe paths
     * @param lifecycle the lifecycle to start
     * @throws IllegalArgumentException if {@code path} does not start with {@code /} or is served
     *     by the probe endpoints
     */
    public Builder preStop(String path, Lifecycle lifecycle) {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(lifecycle, "lifecycle");
      if (!path.startsWith("/") || path.indexOf('?') >= 0) {
        throw new IllegalArgumentException("preStop path: '" + path + "' (expected: /name)");
      }
      if (endpoints.matches(path)) {
        throw new IllegalArgumentException(
            "preStop path: '" + path + "' (expected: not a probe path)");
      }
      this.preStopPath = path;
      this.preStopLifecycle = lifecycle;
      return this;
    }

    /**
     * Binds and starts the server.
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public ProbeServer start() {
      try {
        ProbeServer server = new ProbeServer(this);
        if (lifecycle != null) {
          lifecycle.closeLast("probe-server", server);
        }
        return server;
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot start probe server on " + (bindAddress == null ? "*" : bindAddress) + ":" + port,
            e);
      }
    }
  }
}
