package dev.probekit.docs;

import static io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE;
import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.lifecycle.DrainParticipant;
import dev.probekit.core.lifecycle.DrainingExecutorService;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.PollingConsumer;
import dev.probekit.core.lifecycle.StreamRegistry;
import dev.probekit.netty.NettyStreams;
import dev.probekit.servlet.ServletStreams;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** The samples of docs/drain-participants.md. */
final class DrainSnippets {

  private DrainSnippets() {}

  static DrainingExecutorService participants(HealthRegistry health, JobQueue queue, Emitter emitter) {
    // tag::participants[]
    Lifecycle lifecycle = Lifecycle.builder(health).fromEnvironment().build();

    // An executor: submit through the returned service, which counts the tasks.
    DrainingExecutorService mail =
        lifecycle.addDrainParticipant(DrainParticipant.executor("mail", Executors.newFixedThreadPool(4)));

    // A scheduler: no new run of a periodic task; the run under way finishes.
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    lifecycle.addDrainParticipant(DrainParticipant.scheduler("reports", scheduler));

    // A polling consumer: poll -> process -> commit; stops polling after the batch under way.
    PollingConsumer<Job> worker =
        lifecycle.addDrainParticipant(
            PollingConsumer.<Job>builder("jobs", () -> queue.claim(10), batch -> batch.forEach(Job::run))
                .commit(queue::markDone)
                .build());
    worker.start();

    // Long-lived streams (SSE, long polls, WebSockets): told to end, with a short budget of their own.
    StreamRegistry streams = lifecycle.addDrainParticipant(StreamRegistry.of("sse", Duration.ofSeconds(2)));
    StreamRegistry.Stream stream = streams.open(emitter::complete); // throws once draining: answer 503
    // ... when the stream has ended, whatever ended it:
    stream.close();
    // end::participants[]
    return mail;
  }

  /** A servlet serving server-sent events. */
  static final class EventsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient StreamRegistry streams;

    EventsServlet(StreamRegistry streams) {
      this.streams = streams;
    }

    @Override
    // tag::servlet-stream[]
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      AsyncContext async = request.startAsync();
      async.setTimeout(0);
      if (ServletStreams.track(streams, async).isEmpty()) {
        return; // draining: answered 503
      }
      response.setContentType("text/event-stream");
      // write events from any thread; stop writing once the AsyncContext completes (an AsyncListener)
    }
    // end::servlet-stream[]
  }

  static void nettyStream(StreamRegistry streams, ChannelHandlerContext ctx) {
    // tag::netty-stream[]
    try {
      NettyStreams.track(streams, ctx.channel());
    } catch (IllegalStateException draining) {
      ctx.writeAndFlush(serviceUnavailable()).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    HttpResponse head = new DefaultHttpResponse(HTTP_1_1, OK);
    head.headers().set(CONTENT_TYPE, "text/event-stream");
    HttpUtil.setTransferEncodingChunked(head, true);
    ctx.writeAndFlush(head); // then DefaultHttpContent chunks
    // end::netty-stream[]
  }

  private static FullHttpResponse serviceUnavailable() {
    FullHttpResponse response = new DefaultFullHttpResponse(HTTP_1_1, SERVICE_UNAVAILABLE);
    HttpUtil.setContentLength(response, 0);
    return response;
  }

  /** A unit of work from the queue. */
  interface Job {
    void run();
  }

  /** The application's job queue. */
  interface JobQueue {
    List<Job> claim(int max);

    void markDone(List<Job> jobs);
  }

  /** An open server-sent-events response. */
  interface Emitter {
    void complete();
  }
}
