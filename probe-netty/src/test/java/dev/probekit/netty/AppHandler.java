package dev.probekit.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The test application: answers {@code "<METHOD> <path> <bodyBytes>"} once the request's last
 * content has arrived, so it works with and without an aggregator, and answers in request order.
 * Behaviour by query: {@code ?delay=300} answers 300 ms later (scheduled, not blocking), {@code
 * ?gate} waits for the fixture's gate, {@code ?block} blocks its executor thread until the gate
 * opens, {@code ?continue} first writes an interim {@code 100 Continue}. Reads on the event loop
 * and does its work on the fixture's application executor group.
 */
final class AppHandler extends ChannelInboundHandlerAdapter {
  private final TestServer server;
  private final EventExecutor executor;
  private HttpRequest current;
  private long bodyBytes;
  /** Completes when the last response so far has been written. */
  private CompletableFuture<Void> responses = CompletableFuture.completedFuture(null);

  AppHandler(TestServer server) {
    this.server = server;
    // One application thread per connection, round-robin, so its work stays in order.
    this.executor = server.app.next();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpRequest) {
        current = (HttpRequest) msg;
        bodyBytes = 0;
        server.appRequests.incrementAndGet();
      }
      if (msg instanceof HttpContent) {
        bodyBytes += ((HttpContent) msg).content().readableBytes();
      }
      if (msg instanceof LastHttpContent && current != null) {
        respond(ctx, current, bodyBytes);
        current = null;
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void respond(ChannelHandlerContext ctx, HttpRequest request, long bytes) {
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String text = request.method().name() + " " + uri.path() + " " + bytes;
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    Runnable write =
        () -> {
          FullHttpResponse response =
              new DefaultFullHttpResponse(
                  request.protocolVersion(),
                  HttpResponseStatus.OK,
                  Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
          response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
          HttpUtil.setContentLength(response, response.content().readableBytes());
          if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
          }
          ChannelFuture written = ctx.writeAndFlush(response);
          written.addListener(f -> server.responsesDone.incrementAndGet());
          if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
          }
        };
    if (uri.parameters().containsKey("continue")) {
      // An interim response first: it must not end the request for the in-flight count.
      ctx.writeAndFlush(
          new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.CONTINUE));
    }
    // HTTP/1.1 answers in request order: each response waits for the one before it, as a real
    // application with pipelining support must do.
    CompletableFuture<Void> ready = new CompletableFuture<>();
    responses = CompletableFuture.allOf(responses, ready).thenRun(write);
    // The work itself runs on the application's executor, off the event loop, as Netty 4.2
    // recommends (it deprecates pipeline.addLast(EventExecutorGroup, ...)).
    executor.execute(
        () -> {
          server.appThreads.add(Thread.currentThread().getName());
          List<String> delay = uri.parameters().get("delay");
          if (delay != null) {
            executor.schedule(
                () -> ready.complete(null), Long.parseLong(delay.get(0)), TimeUnit.MILLISECONDS);
          } else if (uri.parameters().containsKey("gate")) {
            server.gate().thenRun(() -> ready.complete(null));
          } else if (uri.parameters().containsKey("block")) {
            server.blocked.incrementAndGet();
            server.gate().join(); // deliberately occupies this executor thread
            ready.complete(null);
          } else {
            ready.complete(null);
          }
        });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
