package dev.probekit.netty;

import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.InflightTracker;
import dev.probekit.core.lifecycle.Lifecycle;
import io.netty.channel.ChannelHandler;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connects a Netty server's connections to a {@link Lifecycle}: counts application requests into
 * its {@link InflightTracker}, asks keep-alive clients to close while it drains, and closes idle
 * connections when the drain starts. One per server; {@link #newHandler()} makes the per-channel
 * handler.
 *
 * <pre>{@code
 * NettyDrain drain = NettyDrain.of(lifecycle);
 * // in the ChannelInitializer, after the probe handler and before the application:
 * ch.pipeline().addLast(drain.newHandler());
 * }</pre>
 *
 * <p>A request is in flight from the moment its {@code HttpRequest} passes the handler until the
 * {@code LastHttpContent} of its final response (not a {@code 100 Continue}) has been written to
 * the socket, or its connection closes; keep-alive and pipelined requests each count once. The
 * tracker's exit is called exactly once per request.
 *
 * <p>While the lifecycle {@linkplain Lifecycle#isDraining() drains}, the response to the last
 * outstanding request on a connection carries {@code Connection: close}, and the connection is
 * closed once it is written; a response with pipelined requests still behind it keeps the
 * connection open so they are answered too. When {@link DrainPhase#STOP_ACCEPTING} completes (the
 * drain starts), connections with no request in flight are closed, and so is each remaining
 * connection as soon as its last request is answered.
 *
 * <p>Thread-safe.
 */
public final class NettyDrain {
  private final Lifecycle lifecycle;
  private final InflightTracker inflight;
  private final Set<InflightHandler> handlers = ConcurrentHashMap.newKeySet();
  private volatile boolean closeIdle;

  private NettyDrain(Lifecycle lifecycle) {
    this.lifecycle = lifecycle;
    this.inflight = lifecycle.inflight();
  }

  /**
   * Drain support for one server, which listens to {@code lifecycle} for the start of the drain.
   *
   * @param lifecycle the lifecycle whose tracker counts requests and whose drain closes connections
   * @return the drain support
   */
  public static NettyDrain of(Lifecycle lifecycle) {
    Objects.requireNonNull(lifecycle, "lifecycle");
    NettyDrain drain = new NettyDrain(lifecycle);
    lifecycle.addListener(
        (phase, took) -> {
          if (phase == DrainPhase.STOP_ACCEPTING) {
            drain.closeIdleConnections();
          }
        });
    return drain;
  }

  /**
   * A new handler for one channel: add it after the {@link ProbeHandler} (so probes are not
   * counted) and before the application's handlers. Not {@code @Sharable}.
   *
   * @return a new handler
   */
  public ChannelHandler newHandler() {
    return new InflightHandler(this);
  }

  /**
   * Closes every connection with no request in flight now, and from now on every connection as
   * soon as its last request is answered. Called when the drain starts; idempotent. Returns at
   * once: each connection is closed on its own event loop.
   */
  public void closeIdleConnections() {
    closeIdle = true;
    for (InflightHandler handler : handlers) {
      handler.closeIfIdleLater();
    }
  }

  /** {@return the number of connections currently open through handlers of this drain} */
  public int openConnections() {
    return handlers.size();
  }

  /** {@return the lifecycle's tracker} */
  public InflightTracker inflight() {
    return inflight;
  }

  boolean isDraining() {
    return lifecycle.isDraining();
  }

  boolean closingIdle() {
    return closeIdle;
  }

  void opened(InflightHandler handler) {
    handlers.add(handler);
  }

  void closed(InflightHandler handler) {
    handlers.remove(handler);
  }

  @Override
  public String toString() {
    return "NettyDrain{connections=" + handlers.size() + ", " + inflight + '}';
  }
}
