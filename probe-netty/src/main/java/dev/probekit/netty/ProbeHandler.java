package dev.probekit.netty;

import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.ProbeResponse;
import dev.probekit.core.ProbeWatch;
import dev.probekit.core.internal.RequestTargets;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the probe contract's paths on an HTTP/1.1 pipeline, on the event loop, straight from
 * the snapshot's pre-rendered bytes, and passes every other request through untouched.
 *
 * <pre>{@code
 * ch.pipeline()
 *     .addLast(new HttpServerCodec())
 *     .addLast(ProbeHandler.of(endpoints, lifecycle::isDraining)) // probes, on the event loop
 *     .addLast(drain.newHandler())                 // counts every other request
 *     .addLast(new HttpObjectAggregator(1 << 20))  // optional; before or after the two above
 *     .addLast(new MyAppHandler(appExecutors));    // your handler; offloads slow work
 * }</pre>
 *
 * <p>Every handler runs on the event loop. Netty 4.2 deprecates {@code addLast(EventExecutorGroup,
 * ...)}: the application's handler hands slow work to its own executor and writes the response
 * from there ({@code ctx.writeAndFlush} hops back to the event loop). A handler placed on an
 * executor group the old way still works behind this one.
 *
 * <p>Insert it after {@code HttpServerCodec}, before or after an {@code HttpObjectAggregator}: it
 * accepts a {@code FullHttpRequest} or an {@code HttpRequest} followed by its {@code HttpContent}
 * parts. A probe request and its parts are consumed and released here; every other message,
 * including the parts of an application request, is forwarded as is. Probe answers are written
 * from this handler's context, so handlers after it (the application's, its executors, an
 * in-flight handler) never see them, and probes are never counted as in-flight work.
 *
 * <p>HTTP/1.1 requires responses in request order. A probe pipelined behind an application request
 * on the same connection is therefore answered right after that request's response is written,
 * still on the event loop; a probe with nothing ahead of it is answered at once.
 *
 * <p>Connections are kept alive as the client asks (HTTP/1.1 by default, HTTP/1.0 with {@code
 * Connection: keep-alive}). While {@code closeConnections} is true (pass {@code
 * lifecycle::isDraining}), a probe answer that is the last outstanding response on its connection
 * carries {@code Connection: close} and the connection is closed once it is written; requests that
 * arrive after it are dropped, as RFC 9112 asks.
 *
 * <p>Bounded per connection, whatever the client does. While the channel is not writable (the
 * peer does not read our answers and the outbound buffer is past its high water mark, see {@code
 * ChannelOption.WRITE_BUFFER_WATER_MARK}) it stops reading: it turns {@code autoRead} off and holds
 * back {@code read()} calls, and resumes once the channel is writable again. Probes decoded from
 * what was already read wait meanwhile. At most {@value #MAX_QUEUED_PROBES} probes may wait on one
 * connection (behind an application response, or for the peer to read); a client that pipelines
 * more is closed. So a client that pipelines probes without reading costs what the socket buffers
 * and the water mark hold, not memory or work without end. Every message it consumes (probe
 * requests and their content, anything after a {@code Connection: close} answer) is released
 * here; the rest is passed on untouched.
 *
 * <p>This handler does not time out slow or idle clients: on a public port add the read deadline,
 * idle handler and limits described in {@code docs/netty.md} ({@link NettyProbeServer} has them).
 *
 * <p>A long-poll ({@code If-None-Match} + {@code Prefer: wait=N}, see {@link
 * ProbeEndpoints#watch}) with nothing ahead of it waits on the event loop, holding no thread, and
 * is answered on a change, when its wait is over (304), when {@code closeConnections} turns true
 * at a wake-up (see {@link dev.probekit.core.lifecycle.Lifecycle#wakeWatchersAtDrainStart}), or as soon as anything more
 * arrives on its connection.
 *
 * <p>One instance per channel: it keeps per-connection state and is not {@code @Sharable}. All its
 * methods run on the channel's event loop.
 */
public final class ProbeHandler extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(ProbeHandler.class);
  private static final ProbeResponse UNAVAILABLE = ProbeResponse.text(503, "probe unavailable");

  /**
   * Most probes that may wait on one connection, behind an application response or for a peer
   * that does not read its answers: {@value}. A client that pipelines more is closed.
   */
  public static final int MAX_QUEUED_PROBES = 16;

  /** Marks an application request whose final response has not been written yet. */
  private static final Object APP_REQUEST = new Object();

  private final ProbeEndpoints endpoints;
  private final BooleanSupplier closeConnections;

  /** Requests awaiting their response, oldest first: {@link #APP_REQUEST} or a {@link Queued}. */
  private final ArrayDeque<Object> outstanding = new ArrayDeque<>(4);

  private final ResponseProgress progress = new ResponseProgress();
  /** Swallowing the content parts of a probe request already answered (or queued). */
  private boolean discardingContent;
  /** A response with {@code Connection: close} was written: drop whatever else arrives. */
  private boolean closing;
  /** The long-poll this connection waits for, if any; only with nothing else outstanding. */
  private Parked parked;
  /** Whether anything was passed on during the current read, for {@code autoRead=false}. */
  private boolean forwardedInThisRead;
  /** Probes in {@link #outstanding}. */
  private int queuedProbes;
  /** This handler turned {@code autoRead} off because the channel was not writable. */
  private boolean pausedAutoRead;
  /** A {@code read()} held back because the channel was not writable. */
  private boolean heldRead;

  private ProbeHandler(ProbeEndpoints endpoints, BooleanSupplier closeConnections) {
    this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    this.closeConnections = Objects.requireNonNull(closeConnections, "closeConnections");
  }

  /**
   * A handler for one channel that never asks clients to close.
   *
   * @param endpoints the contract to serve
   * @return a new handler; add it to one channel's pipeline only
   */
  public static ProbeHandler of(ProbeEndpoints endpoints) {
    return new ProbeHandler(endpoints, () -> false);
  }

  /**
   * A handler for one channel.
   *
   * @param endpoints the contract to serve
   * @param closeConnections asked per probe answer: whether it should carry {@code Connection:
   *     close}; pass {@code lifecycle::isDraining}
   * @return a new handler; add it to one channel's pipeline only
   */
  public static ProbeHandler of(ProbeEndpoints endpoints, BooleanSupplier closeConnections) {
    return new ProbeHandler(endpoints, closeConnections);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest) {
      if (parked != null) {
        // A request behind a watcher releases it first, so answers stay in order.
        release(ctx, parked, parked.watch.poll(true));
      }
      HttpRequest request = (HttpRequest) msg;
      String path = RequestTargets.rawPath(request.uri());
      if (request.decoderResult().isSuccess() && endpoints.matches(path)) {
        onProbeRequest(ctx, request, path);
        return;
      }
      outstanding.addLast(APP_REQUEST);
    } else if (discardingContent && msg instanceof HttpContent) {
      discardContent(ctx, (HttpContent) msg);
      return;
    }
    forwardedInThisRead = true;
    ctx.fireChannelRead(msg);
  }

  private void onProbeRequest(ChannelHandlerContext ctx, HttpRequest request, String path) {
    HttpRequestView view = HttpRequestView.of(request, path);
    boolean complete = request instanceof LastHttpContent;
    // A client waiting for "100 Continue" will not send the body we would have to skip, so the
    // connection cannot be reused after our answer.
    boolean mustClose = !complete && HttpUtil.is100ContinueExpected(request);
    discardingContent = !complete;
    ReferenceCountUtil.release(request);
    ProbeWatch watch =
        outstanding.isEmpty() && !mustClose && !closeConnections.getAsBoolean()
            ? endpoints.watch(view)
            : null;
    if (watch != null) {
      park(ctx, view, watch);
    } else if (outstanding.isEmpty() && ctx.channel().isWritable()) {
      answer(ctx, view, mustClose, true);
    } else if (queuedProbes >= MAX_QUEUED_PROBES) {
      // A client pipelining probes behind a slow response, or while not reading our answers,
      // without end: stop it here rather than working and queueing for it.
      log.debug("closing {}: more than {} probes queued", ctx.channel(), MAX_QUEUED_PROBES);
      closing = true;
      outstanding.clear();
      queuedProbes = 0;
      ctx.close();
    } else {
      outstanding.addLast(new Queued(view, mustClose));
      queuedProbes++;
    }
  }

  /**
   * Parks a long-poll on the event loop: no thread waits. A status change (or the drain's start)
   * schedules a look-again on this channel's loop; the loop's timer answers {@link
   * ProbeWatch#answer()} (a 304, or the new status) when the wait is over.
   */
  private void park(ChannelHandlerContext ctx, HttpRequestView view, ProbeWatch watch) {
    EventExecutor loop = ctx.executor();
    Parked waiting = new Parked(view, watch);
    parked = waiting;
    waiting.timeout =
        loop.schedule(
            () -> release(ctx, waiting, watch.answer()), watch.timeoutNanos(), TimeUnit.NANOSECONDS);
    Runnable lookAgain =
        () -> {
          ProbeResponse answer = watch.poll(closeConnections.getAsBoolean());
          if (answer != null) {
            release(ctx, waiting, answer);
          }
        };
    watch.subscribe(() -> loop.execute(lookAgain));
    // A change between watch() and subscribe() would otherwise go unseen until the next one.
    loop.execute(lookAgain);
  }

  /** Answers a parked watcher once; later calls (a timer after a change, say) do nothing. */
  private void release(ChannelHandlerContext ctx, Parked waiting, ProbeResponse answer) {
    if (parked != waiting || closing) {
      return;
    }
    forget(waiting);
    send(ctx, waiting.view, answer, false, true);
  }

  private void forget(Parked waiting) {
    parked = null;
    waiting.watch.cancel();
    if (waiting.timeout != null) {
      waiting.timeout.cancel(false);
    }
  }

  private void discardContent(ChannelHandlerContext ctx, HttpContent content) {
    boolean failed = content.decoderResult().isFailure();
    boolean last = content instanceof LastHttpContent;
    content.release();
    if (last || failed) {
      discardingContent = false;
    }
    if (failed) {
      // The decoder gives up on the connection after a malformed body: nothing more can be read.
      closing = true;
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!forwardedInThisRead && !ctx.channel().config().isAutoRead()) {
      // Everything read was ours: whoever asked for this read is still waiting for a message.
      read(ctx);
    }
    forwardedInThisRead = false;
    ctx.fireChannelReadComplete();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean answered = progress.endsFinalResponse(msg);
    ctx.write(msg, promise);
    if (answered) {
      if (outstanding.peekFirst() == APP_REQUEST) {
        outstanding.pollFirst();
      }
      answerQueued(ctx);
    }
  }

  /** Answers the probes that were waiting for the application's response ahead of them. */
  private void answerQueued(ChannelHandlerContext ctx) {
    boolean wrote = false;
    while (!closing && outstanding.peekFirst() instanceof Queued) {
      Queued queued = (Queued) outstanding.pollFirst();
      queuedProbes--;
      answer(ctx, queued.view, queued.mustClose, false);
      wrote = true;
    }
    if (wrote) {
      ctx.flush();
    }
  }

  private void answer(
      ChannelHandlerContext ctx, HttpRequestView view, boolean mustClose, boolean flush) {
    ProbeResponse response;
    try {
      response = endpoints.handle(view);
    } catch (RuntimeException e) {
      // ProbeEndpoints never throws by contract; if it does, answer a short 503, never a 500
      // with a stack trace, and leave the cause to the log.
      log.warn("probe request {} failed", view, e);
      response = "HEAD".equals(view.method()) ? UNAVAILABLE.forHead() : UNAVAILABLE;
    }
    send(ctx, view, response, mustClose, flush);
  }

  private void send(
      ChannelHandlerContext ctx,
      HttpRequestView view,
      ProbeResponse response,
      boolean mustClose,
      boolean flush) {
    boolean keepAlive =
        view.keepAlive()
            && !mustClose
            && !(outstanding.isEmpty() && closeConnections.getAsBoolean());
    ChannelFuture written =
        flush
            ? ctx.writeAndFlush(NettyResponses.toNetty(response, view.version(), keepAlive))
            : ctx.write(NettyResponses.toNetty(response, view.version(), keepAlive));
    if (!keepAlive) {
      closing = true;
      outstanding.clear();
      queuedProbes = 0;
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Channel channel = ctx.channel();
    if (channel.isWritable()) {
      if (pausedAutoRead) {
        pausedAutoRead = false;
        channel.config().setAutoRead(true);
      }
      if (heldRead) {
        heldRead = false;
        ctx.read();
      }
      // Probes that arrived while the peer was not reading, if nothing is ahead of them.
      answerQueued(ctx);
    } else if (channel.config().isAutoRead()) {
      // The peer does not take our answers: stop reading its requests until it does.
      pausedAutoRead = true;
      channel.config().setAutoRead(false);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (!ctx.channel().isWritable()) {
      // With autoRead off (ours or the application's), a read asked for now waits for the peer.
      heldRead = true;
      return;
    }
    ctx.read();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (parked != null) {
      forget(parked);
    }
    outstanding.clear();
    queuedProbes = 0;
    ctx.fireChannelInactive();
  }

  @Override
  public String toString() {
    return "ProbeHandler{" + endpoints + '}';
  }

  /** A long-poll waiting for a change, its wait, or its release. */
  private static final class Parked {
    final HttpRequestView view;
    final ProbeWatch watch;
    ScheduledFuture<?> timeout;

    Parked(HttpRequestView view, ProbeWatch watch) {
      this.view = view;
      this.watch = watch;
    }
  }

  /** A probe request waiting for the responses ahead of it. */
  private static final class Queued {
    final HttpRequestView view;
    final boolean mustClose;

    Queued(HttpRequestView view, boolean mustClose) {
      this.view = view;
      this.mustClose = mustClose;
    }
  }
}
