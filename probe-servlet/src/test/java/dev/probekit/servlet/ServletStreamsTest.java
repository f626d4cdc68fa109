package dev.probekit.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.StreamRegistry;
import dev.probekit.core.testkit.StreamDrainKit;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Server-sent event streams tracked with {@link ServletStreams} end at drain start, on Jetty and Tomcat. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServletStreamsTest {
  private final HealthRegistry health = HealthRegistry.builder().build();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private TestContainer container;

  @AfterEach
  void close() throws Exception {
    ticker.shutdownNow();
    if (container != null) {
      container.close();
    }
    health.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"jetty", "tomcat"})
  void anOpenStreamEndsAtDrainStartAndNewOnesAreRefused(String name) throws Exception {
    container = "jetty".equals(name) ? new JettyContainer() : new TomcatContainer();
    Lifecycle lifecycle = StreamDrainKit.lifecycle(health);
    StreamRegistry streams = StreamDrainKit.streams(lifecycle);
    int port =
        container.start(
            "",
            (classes, context) -> {
              var servlet = context.addServlet("sse", new SseServlet(streams, ticker));
              servlet.setAsyncSupported(true);
              servlet.addMapping("/events");
            });
    StreamDrainKit.assertStreamEndsAtDrainStart(
        name, lifecycle, streams, URI.create("http://127.0.0.1:" + port + "/events"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"jetty", "tomcat"})
  void aClientThatHangsUpClosesItsRegistration(String name) throws Exception {
    container = "jetty".equals(name) ? new JettyContainer() : new TomcatContainer();
    StreamRegistry streams = StreamDrainKit.streams(StreamDrainKit.lifecycle(health));
    int port =
        container.start(
            "",
            (classes, context) -> {
              var servlet = context.addServlet("sse", new SseServlet(streams, ticker));
              servlet.setAsyncSupported(true);
              servlet.addMapping("/events");
            });
    try (Socket client = new Socket("127.0.0.1", port)) {
      client.getOutputStream()
          .write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      client.getOutputStream().flush();
      assertThat(client.getInputStream().read()).as("first byte of the stream").isNotNegative();
      assertThat(streams.inFlight()).isEqualTo(1);
    }
    // The next write fails, the servlet completes, the container reports it: the registration closes.
    Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> streams.inFlight() == 0);
    assertThat(streams.closed()).isEqualTo(1);
  }

  /** Writes {@code data: tick} every 100 ms until the stream is completed, by the drain or anyone. */
  static final class SseServlet extends HttpServlet {
    private final StreamRegistry streams;
    private final ScheduledExecutorService ticker;

    SseServlet(StreamRegistry streams, ScheduledExecutorService ticker) {
      this.streams = streams;
      this.ticker = ticker;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      AsyncContext async = request.startAsync();
      async.setTimeout(0);
      if (ServletStreams.track(streams, async).isEmpty()) {
        return;
      }
      response.setStatus(200);
      response.setContentType("text/event-stream");
      response.setCharacterEncoding("UTF-8");
      Object lock = new Object();
      boolean[] done = {false};
      ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
      async.addListener(
          new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
              synchronized (lock) {
                done[0] = true;
              }
              task[0].cancel(false);
            }

            @Override
            public void onTimeout(AsyncEvent event) {}

            @Override
            public void onError(AsyncEvent event) {}

            @Override
            public void onStartAsync(AsyncEvent event) {}
          });
      task[0] =
          ticker.scheduleAtFixedRate(
              () -> {
                synchronized (lock) {
                  if (done[0]) {
                    return;
                  }
                  try {
                    response.getOutputStream().write(StreamDrainKit.TICK.getBytes(StandardCharsets.UTF_8));
                    response.flushBuffer();
                  } catch (Exception clientGoneOrCompleted) {
                    done[0] = true;
                    try {
                      async.complete();
                    } catch (IllegalStateException alreadyCompleted) {
                      // completed meanwhile
                    }
                  }
                }
              },
              0,
              100,
              TimeUnit.MILLISECONDS);
    }
  }
}
