package dev.probekit.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.ParticipantReport;
import dev.probekit.core.lifecycle.ShutdownSummary;
import dev.probekit.core.lifecycle.StreamRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The adapters' stream drain check: a real HTTP client holds a server-sent event stream (events
 * {@code data: tick}) open, {@code shutdown()} runs, the client must see the stream end long before
 * the drain timeout, the registry report it drained, and a new stream get a 503.
 */
public final class StreamDrainKit {
  /** The event every test stream writes. */
  public static final String TICK = "data: tick\n\n";

  private StreamDrainKit() {}

  /** {@return a lifecycle with pre-stop delay 0 and drain timeout 20 s, not exiting on signals} */
  public static Lifecycle lifecycle(HealthRegistry health) {
    return Lifecycle.builder(health)
        .exitOnSignal(false)
        .preStopDelay(Duration.ZERO)
        .drainTimeout(Duration.ofSeconds(20))
        .build();
  }

  /** {@return a registry named {@code sse} with a 2 s budget, joined to {@code lifecycle}} */
  public static StreamRegistry streams(Lifecycle lifecycle) {
    return lifecycle.addDrainParticipant(StreamRegistry.of("sse", Duration.ofSeconds(2)));
  }

  /** Runs the check against the stream served at {@code events}; {@code label} names the server. */
  public static void assertStreamEndsAtDrainStart(
      String label, Lifecycle lifecycle, StreamRegistry streams, URI events) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<InputStream> open =
        client.send(HttpRequest.newBuilder(events).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(open.statusCode()).isEqualTo(200);
    assertThat(open.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
    InputStream body = open.body();
    // The stream is live: two events arrive before the drain.
    byte[] first = new byte[TICK.length() * 2];
    int read = 0;
    while (read < first.length) {
      int n = body.read(first, read, first.length - read);
      assertThat(n).as("stream ended before the drain").isPositive();
      read += n;
    }
    assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo(TICK + TICK);
    assertThat(streams.inFlight()).isEqualTo(1);

    CompletableFuture<Long> eof =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                while (body.read() != -1) {
                  // the events still coming, until the server ends the stream
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

    ParticipantReport report = report(summary, streams.name());
    System.out.printf(
        "%s: client EOF %d ms after shutdown(); shutdown() took %d ms; drain %s; %s%n",
        label, eofMillis, shutdownMillis, summary.phaseDurations().get(DrainPhase.DRAIN), report);
    assertThat(report.drained()).isEqualTo(1);
    assertThat(report.abandoned()).isZero();
    assertThat(report.failure()).isEmpty();
    assertThat(eofMillis).as("stream ended well before the 20 s drain timeout").isLessThan(5_000);
    assertThat(shutdownMillis).as("drain not held by the stream").isLessThan(5_000);
    assertThat(streams.inFlight()).isZero();

    // While draining (the server still serves), a new stream is refused.
    HttpResponse<String> refused =
        client.send(HttpRequest.newBuilder(events).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).isEqualTo("draining\n");
    assertThat(refused.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> streams.inFlight() == 0);
  }

  /** {@return the summary's report for the participant {@code name}} */
  public static ParticipantReport report(ShutdownSummary summary, String name) {
    return summary.participants().stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
