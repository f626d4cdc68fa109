package dev.probekit.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.DrainPhase;
import dev.probekit.core.Health;
import dev.probekit.core.Lifecycle;
import dev.probekit.core.ParticipantReport;
import dev.probekit.core.ShutdownSummary;
import dev.probekit.core.StreamRegistry;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
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
  private final Health health = Health.builder().build();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
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
    Lifecycle lifecycle =
        Lifecycle.builder(health)
            .exitOnSignal(false)
            .preStopDelayMillis(0)
            .drainTimeout(Duration.ofSeconds(20))
            .build();
    StreamRegistry streams =
        lifecycle.addDrainParticipant(StreamRegistry.of("sse", Duration.ofSeconds(2)));
    int port =
        container.start(
            "",
            (classes, context) -> {
              var servlet = context.addServlet("sse", new SseServlet(streams, ticker));
              servlet.setAsyncSupported(true);
              servlet.addMapping("/events");
            });
    URI events = URI.create("http://127.0.0.1:" + port + "/events");

    HttpResponse<InputStream> open =
        client.send(HttpRequest.newBuilder(events).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(open.statusCode()).isEqualTo(200);
    assertThat(open.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/event-stream"));
    InputStream body = open.body();
    // The stream is live: at least two events arrive before the drain.
    byte[] first = new byte["data: tick\n\n".length() * 2];
    int read = 0;
    while (read < first.length) {
      int n = body.read(first, read, first.length - read);
      assertThat(n).as("stream ended before the drain").isPositive();
      read += n;
    }
    assertThat(new String(first, StandardCharsets.UTF_8)).startsWith("data: tick\n\n");
    assertThat(streams.inFlight()).isEqualTo(1);

    CompletableFuture<Long> eof =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                while (body.read() != -1) {
                  // drain the events still coming until the server ends the stream
                }
                return System.nanoTime();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    long t0 = System.nanoTime();
    ShutdownSummary summary = lifecycle.shutdown();
    long shutdownMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    long eofMillis = TimeUnit.NANOSECONDS.toMillis(eof.get(10, TimeUnit.SECONDS) - t0);

    ParticipantReport report =
        summary.participants().stream().filter(p -> p.name().equals("sse")).findFirst().orElseThrow();
    System.out.printf(
        "%s: client EOF %d ms after shutdown(); shutdown() took %d ms; drain %s; %s%n",
        name, eofMillis, shutdownMillis, summary.phaseDurations().get(DrainPhase.DRAIN), report);
    assertThat(report.drained()).isEqualTo(1);
    assertThat(report.abandoned()).isZero();
    assertThat(report.failure()).isEmpty();
    assertThat(eofMillis).as("stream ended well before the 20 s drain timeout").isLessThan(5_000);
    assertThat(shutdownMillis).as("drain not held by the stream").isLessThan(5_000);
    assertThat(streams.inFlight()).isZero();

    // While draining (the container still serves), a new stream is refused with a 503.
    HttpResponse<String> refused =
        client.send(HttpRequest.newBuilder(events).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).isEqualTo("draining\n");
    assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/plain"));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> streams.inFlight() == 0);
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
                    response.getOutputStream().write("data: tick\n\n".getBytes(StandardCharsets.UTF_8));
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
