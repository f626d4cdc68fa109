package dev.probekit.core.server;

import static dev.probekit.core.internal.Arguments.positive;

import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.ProbeRequest;
import dev.probekit.core.ProbeResponse;
import dev.probekit.core.ProbeWatch;
import dev.probekit.core.internal.Arguments;
import dev.probekit.core.internal.HttpAnswer;
import dev.probekit.core.internal.NioHttpServer;
import dev.probekit.core.internal.RequestHead;
import dev.probekit.core.internal.ServerLimits;
import dev.probekit.core.internal.TargetRequest;
import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.Lifecycle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in probe server: serves {@link ProbeEndpoints} on its own port and bind address, on
 * one daemon thread of its own ({@value #THREAD_NAME}) driving non-blocking {@code java.nio}
 * sockets, so probes answer even when every application thread is busy, before the application's
 * own server exists, and whatever other clients of the port do.
 *
 * <pre>{@code
 * ProbeServer server = ProbeServer.builder(ProbeEndpoints.of(health)).port(8081).start();
 * // ... server.close() frees the port
 * }</pre>
 *
 * <p>No dependency beyond probe-core's. Paths outside the contract answer 404. HTTP/1.0 and 1.1,
 * keep-alive and pipelining; every answer is pre-rendered bytes, written as they are.
 *
 * <p>No client can delay another: a request head (at most 8 KiB, else 431, or 414 for an over-long
 * request line) must arrive within {@link Builder#headDeadline(Duration)} of its first byte, else
 * the connection is closed; idle keep-alive connections, and ones whose peer stops reading our
 * answers, close after {@link Builder#idleTimeout(Duration)}; at most {@link
 * Builder#maxConnections(int)} connections are open: at the cap a new connection evicts one (one
 * already closing, else the one idle longest, else the one sending its head longest, else the one
 * whose peer has not read its answer longest), and is closed only if every connection waits for a
 * pre-stop answer. Pipelined
 * requests are answered in order, and nothing more is read from a peer that does not read its
 * answers. A request that declares a body (Content-Length above 0, any Transfer-Encoding) is
 * answered with {@code Connection: close} and its body is never read into memory.
 *
 * <p>The statuses are the contract's: 200, 400 (malformed request line, header, Host or framing),
 * 404, 405 with {@code Allow} (for every method but GET and HEAD, unknown ones included: the
 * resource exists, the method does not apply to it), 413 (a declared body over 64 KiB), 414, 431,
 * 503, and 505 for an HTTP version other than 1.0 and 1.1. Every error body is one short plain-text
 * line. {@code Expect: 100-continue} gets no interim answer: the final one comes at once and the
 * body is not read. An absolute-form target ({@code GET http://host/livez}) is served by its path.
 *
 * <p>Long-poll watchers ({@code If-None-Match} + {@code Prefer: wait=N}, see {@link
 * ProbeEndpoints#watch(ProbeRequest)}) are parked in the selector loop and hold no thread: each is
 * answered as soon as its status changes, with 304 when its wait is over, and at the start of a
 * drain with the current status and {@code Connection: close}. A waiting connection counts against
 * {@link Builder#maxConnections(int)} and is evicted only after every connection that is not
 * waiting.
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

  /** Default listen backlog: {@value}. */
  public static final int DEFAULT_BACKLOG = 64;

  /** Default time from a request head's first byte to its end: 1 second. */
  public static final Duration DEFAULT_HEAD_DEADLINE = Duration.ofSeconds(1);

  /** Default time an idle keep-alive connection stays open: 10 seconds. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);

  /** Default most connections open at once: {@value}. */
  public static final int DEFAULT_MAX_CONNECTIONS = 128;

  /** The name of the server's one thread: {@value}. */
  public static final String THREAD_NAME = "probekit-probe-server";

  private static final ProbeResponse NOT_FOUND = ProbeResponse.text(404, "not found");
  private static final ProbeResponse UNAVAILABLE = ProbeResponse.text(503, "probe unavailable");
  private static final HttpAnswer PRE_STOP_DONE =
      ResponseWires.render(ProbeResponse.text(200, "pre-stop delay over"));
  private static final HttpAnswer PRE_STOP_FAILED =
      ResponseWires.render(ProbeResponse.text(503, "pre-stop failed"));
  private static final ProbeResponse PRE_STOP_METHOD = ProbeResponse.methodNotAllowed("GET, POST");

  private final ResponseWires wires = new ResponseWires();

  private final NioHttpServer server;
  private final ProbeEndpoints endpoints;
  private final String preStopPath;
  private final Lifecycle preStopLifecycle;
  private final BooleanSupplier closeConnections;

  private ProbeServer(Builder b) throws IOException {
    this.endpoints = b.endpoints;
    this.closeConnections = b.closeConnections;
    this.preStopPath = b.preStopPath;
    this.preStopLifecycle = b.preStopLifecycle;
    InetSocketAddress address =
        b.bindAddress == null
            ? new InetSocketAddress(b.port)
            : new InetSocketAddress(b.bindAddress, b.port);
    this.server =
        NioHttpServer.start(
            address,
            b.backlog,
            new ServerLimits(b.headDeadline, b.idleTimeout, b.maxConnections),
            b.closeConnections,
            this::handle,
            THREAD_NAME);
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

  /** {@return the port actually bound (useful with port 0)} */
  public int port() {
    return server.address().getPort();
  }

  /** {@return the address actually bound} */
  public InetSocketAddress address() {
    return server.address();
  }

  /** {@return the endpoints served} */
  public ProbeEndpoints endpoints() {
    return endpoints;
  }

  /**
   * Stops at once, closing every connection, and returns once the port is free. Idempotent.
   */
  @Override
  public void close() {
    server.close();
  }

  /** Runs on the server's thread: must not block. */
  private HttpAnswer handle(RequestHead head) {
    ProbeResponse response;
    try {
      String path = head.rawPath();
      if (preStopPath != null && preStopPath.equals(path)) {
        return preStop(head);
      }
      if (!endpoints.matches(path)) {
        response = NOT_FOUND;
      } else {
        HeadRequest request = new HeadRequest(head);
        // Requests that come while draining are answered at once, as released watchers are.
        ProbeWatch watch = closeConnections.getAsBoolean() ? null : endpoints.watch(request);
        if (watch != null) {
          return park(watch, head);
        }
        response = endpoints.handle(request);
      }
    } catch (RuntimeException e) {
      // ProbeEndpoints never throws by contract; if it does, answer a short 503, never a 500
      // with a stack trace, and leave the cause to the log.
      log.warn("probe request failed", e);
      response = UNAVAILABLE;
    }
    return wire(response, "HEAD".equals(head.method()));
  }

  /**
   * Parks a long-poll in the selector loop: no thread waits. A status change (or the drain's start)
   * hands a look-again to the server's thread, which answers once {@link ProbeWatch#poll} has an
   * answer; the connection answers {@link ProbeWatch#answer()} (a 304, or the new status) when the
   * wait is over, and cancels the watch if its peer leaves or it is evicted at the cap.
   */
  private HttpAnswer park(ProbeWatch watch, RequestHead head) {
    boolean isHead = "HEAD".equals(head.method());
    CompletableFuture<HttpAnswer> changed = new CompletableFuture<>();
    Runnable lookAgain =
        () -> {
          if (changed.isDone()) {
            return;
          }
          ProbeResponse answer = watch.poll(closeConnections.getAsBoolean());
          if (answer != null) {
            watch.cancel();
            changed.complete(wire(answer, isHead));
          }
        };
    watch.subscribe(() -> server.execute(lookAgain));
    // A change between watch() and subscribe() would otherwise go unseen until the next one.
    server.execute(lookAgain);
    return HttpAnswer.watch(
        changed,
        watch.timeoutNanos(),
        () -> {
          watch.cancel();
          return wire(watch.answer(), isHead);
        },
        watch::cancel);
  }

  private HttpAnswer wire(ProbeResponse response, boolean head) {
    return wires.of(head ? response.forHead() : response);
  }

  /**
   * Starts the lifecycle's pre-stop half and answers once its delay is over: 200 if it completed
   * normally, 503 if it failed. The server's thread is not held meanwhile (probes keep being
   * answered); this connection reads nothing more until then.
   */
  private HttpAnswer preStop(RequestHead head) {
    String method = head.method();
    if (!"GET".equals(method) && !"POST".equals(method)) {
      return wire(PRE_STOP_METHOD, "HEAD".equals(method));
    }
    log.info("pre-stop hook called: starting the graceful shutdown sequence");
    return HttpAnswer.later(
        preStopLifecycle
            .preStopAsync()
            .handle(
                (ignored, error) -> {
                  if (error != null) {
                    log.warn("pre-stop failed", error);
                  }
                  return error == null ? PRE_STOP_DONE : PRE_STOP_FAILED;
                }));
  }

  @Override
  public String toString() {
    return "ProbeServer{" + server.address() + ", " + endpoints + '}';
  }

  /** A {@link ProbeRequest} view of a request head. */
  private static final class HeadRequest extends TargetRequest {
    private final RequestHead head;

    HeadRequest(RequestHead head) {
      super(head.method(), head.rawPath(), head.rawQuery());
      this.head = head;
    }

    @Override
    public String header(String name) {
      return head.header(name);
    }
  }

  /** Builds and starts a {@link ProbeServer}. */
  public static final class Builder {
    private final ProbeEndpoints endpoints;
    private int port = DEFAULT_PORT;
    private InetAddress bindAddress;
    private int backlog = DEFAULT_BACKLOG;
    private Duration headDeadline = DEFAULT_HEAD_DEADLINE;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private BooleanSupplier closeConnections = () -> false;
    private Lifecycle lifecycle;
    private String preStopPath;
    private Lifecycle preStopLifecycle;

    Builder(ProbeEndpoints endpoints) {
      this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    /**
     * The port; 0 picks a free one (see {@link ProbeServer#port()}); default {@value
     * #DEFAULT_PORT}.
     *
     * @param port the port, 0 to 65535
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder port(int port) {
      this.port = Arguments.port(port);
      return this;
    }

    /**
     * The address to bind; default every interface.
     *
     * @param bindAddress the local address, such as the loopback address
     * @return this builder
     */
    public Builder bindAddress(InetAddress bindAddress) {
      this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
      return this;
    }

    /**
     * The listen backlog; default {@value #DEFAULT_BACKLOG}.
     *
     * @param backlog connections the kernel queues before they are accepted; at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder backlog(int backlog) {
      Arguments.atLeastOne("backlog", backlog);
      this.backlog = backlog;
      return this;
    }

    /**
     * How long a request head may take from its first byte to its end; a connection that takes
     * longer is closed, so a client that trickles bytes holds nothing. Default {@link
     * #DEFAULT_HEAD_DEADLINE}.
     *
     * @param headDeadline the deadline; positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder headDeadline(Duration headDeadline) {
      this.headDeadline = positive("headDeadline", headDeadline);
      return this;
    }

    /**
     * How long an idle keep-alive connection stays open, and how long a peer that does not read
     * our answer keeps its connection. Default {@link #DEFAULT_IDLE_TIMEOUT}.
     *
     * @param idleTimeout the timeout; positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = positive("idleTimeout", idleTimeout);
      return this;
    }

    /**
     * The most connections open at once; default {@value #DEFAULT_MAX_CONNECTIONS}. At the cap a
     * new connection makes room by closing, in this order, a connection already closing, the one
     * idle longest, the one that has been sending its request head longest, or the one whose peer
     * has not read its answer longest; only if every connection waits for a pre-stop answer is
     * the new one closed at once. A probe that connects is therefore always served.
     *
     * @param maxConnections the cap; at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxConnections(int maxConnections) {
      Arguments.atLeastOne("maxConnections", maxConnections);
      this.maxConnections = maxConnections;
      return this;
    }

    /**
     * Whether responses should carry {@code Connection: close}, asked per response; the lifecycle
     * sets this while draining so keep-alive clients move away. Default never.
     *
     * @param closeConnections asked for each response; {@code true} closes the connection after it
     * @return this builder
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
     * @return this builder
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
     * wait for the same delay; if the pre-stop step fails the answer is {@code 503 pre-stop
     * failed}. Other methods get {@code 405} with {@code Allow: GET, POST}. The server's thread is
     * never held while the delay runs.
     *
     * <p>Only on this server, never on the application's port: anyone who can reach it can start
     * a shutdown.
     *
     * @param path such as {@code "/prestop"}; must not be one of the probe paths
     * @param lifecycle the lifecycle to start
     * @return this builder
     * @throws IllegalArgumentException if {@code path} does not start with {@code /}, holds a
     *     query ({@code ?}), or is served by the probe endpoints
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
     * @return the running server
     * @throws UncheckedIOException if the port cannot be bound
     */
    public ProbeServer start() {
      try {
        ProbeServer server = new ProbeServer(this);
        if (lifecycle != null) {
          lifecycle.closeLast("probe-server", server);
          // Long-poll watchers are released at drain start, even when no status changes then.
          lifecycle.wakeWatchersAtDrainStart(endpoints);
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
