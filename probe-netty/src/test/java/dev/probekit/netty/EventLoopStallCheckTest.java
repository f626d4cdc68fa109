package dev.probekit.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.DetailsPolicy;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.Status;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The stall check against real event loops, one of which is deliberately blocked. */
@ExtendWith(LeakCheck.class)
class EventLoopStallCheckTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final EventLoopGroup workers =
      new MultiThreadIoEventLoopGroup(
          2, new DefaultThreadFactory("stall-worker", true), NioIoHandler.newFactory());
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** Blocks the loop at {@code index} until {@link #release} opens; returns once it is blocked. */
  private void block(int index) throws InterruptedException {
    List<EventExecutor> loops = new ArrayList<>();
    workers.forEach(loops::add);
    CountDownLatch blocked = new CountDownLatch(1);
    loops.get(index)
        .execute(
            () -> {
              blocked.countDown();
              try {
                release.await(); // deliberately blocks the event loop
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void isUpWhenEveryLoopRunsItsTaskInTime() throws Exception {
    EventLoopStallCheck check =
        EventLoopStallCheck.builder().group("worker", workers).threshold(Duration.ofMillis(500)).build();

    CheckResult result = check.check();

    assertThat(result.status()).isEqualTo(Status.UP);
    assertThat(result.details()).containsEntry("loops", 2);
  }

  @Test
  void namesTheBlockedLoopAndHowLongItHasBeenBlocked() throws Exception {
    EventLoopStallCheck check =
        EventLoopStallCheck.builder().group("worker", workers).threshold(Duration.ofMillis(200)).build();
    assertThat(check.check().isUp()).isTrue(); // learns the loops' thread names
    block(1);

    long start = System.nanoTime();
    CheckResult first = check.check();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    CheckResult second = check.check();

    assertThat(first.status()).isEqualTo(Status.DOWN);
    assertThat(first.message()).hasValueSatisfying(m -> assertThat(m)
        .startsWith("event loop worker#1 (thread stall-worker-")
        .contains("blocked for ")
        .endsWith("(threshold 200ms)")
        .doesNotContain("worker#0"));
    assertThat(first.details()).containsEntry("stalled", 1);
    assertThat((Long) first.details().get("maxBlockedMs")).isGreaterThanOrEqualTo(200L);
    assertThat(took).isLessThan(Duration.ofSeconds(2));
    // The same task is still waiting: no second one was queued, and it has waited longer.
    assertThat(second.status()).isEqualTo(Status.DOWN);
    assertThat((Long) second.details().get("maxBlockedMs"))
        .isGreaterThan((Long) first.details().get("maxBlockedMs"));

    release.countDown();
    await().atMost(WAIT).until(() -> check.check().isUp());
  }

  @Test
  void turnsLivenessDownOverHttpWhileALoopIsBlocked() throws Exception {
    try (HealthRegistry health = HealthRegistry.builder().build()) {
      health.register(
          "event-loops",
          EventLoopStallCheck.builder().group("worker", workers).threshold(Duration.ofMillis(200)).build(),
          CheckOptions.builder(Probe.LIVENESS)
              .interval(Duration.ofMillis(100))
              .timeout(Duration.ofMillis(1_000))
              .build());
      ProbeEndpoints endpoints =
          ProbeEndpoints.builder(health).detailsPolicy(DetailsPolicy.always()).build();
      // Probes on their own loop: the blocked worker cannot delay them.
      try (NettyProbeServer probes =
          NettyProbeServer.builder(endpoints)
              .port(0)
              .bindAddress(InetAddress.getLoopbackAddress())
              .start()) {
        HttpClient client = HttpClient.newHttpClient();
        URI livez = URI.create("http://127.0.0.1:" + probes.port() + "/livez?verbose");
        await().atMost(WAIT).until(() -> send(client, livez).statusCode() == 200);

        block(0);

        await().atMost(WAIT).until(() -> send(client, livez).statusCode() == 503);
        assertThat(send(client, livez).body())
            .contains("[-]event-loops failed: event loop worker#0")
            .contains("blocked for");

        release.countDown();
        await().atMost(WAIT).until(() -> send(client, livez).statusCode() == 200);
      }
    }
  }

  @Test
  void skipsLoopsThatAreShuttingDown() throws Exception {
    EventLoopStallCheck check = EventLoopStallCheck.of("worker", workers);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);

    assertThat(check.check().isUp()).isTrue();
  }

  @Test
  void rejectsBadConfiguration() {
    assertThatThrownBy(() -> EventLoopStallCheck.builder().build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> EventLoopStallCheck.builder().threshold(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threshold: PT0S (expected: > 0)");
  }

  private static HttpResponse<String> send(HttpClient client, URI uri) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
