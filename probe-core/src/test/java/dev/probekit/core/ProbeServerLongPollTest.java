package dev.probekit.core;

import static dev.probekit.core.testkit.RawSockets.answer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.server.ProbeServer;
import dev.probekit.core.testkit.RawHttp;
import dev.probekit.core.testkit.RawSockets;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Long-poll watchers on the built-in server: parked in its one selector thread, answered on a
 * transition, released at drain start, forgotten when they leave, evicted last at the cap.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProbeServerLongPollTest {
  private static final int WATCHERS = 1_000;

  private final HealthRegistry health = HealthRegistry.builder().build();
  private final ProbeEndpoints endpoints = ProbeEndpoints.of(health);
  private final RawSockets sockets = new RawSockets();
  private ProbeServer server;
  private URI base;

  @AfterEach
  void close() throws IOException {
    sockets.close();
    if (server != null) {
      server.close();
    }
    health.close();
  }

  private void start(ProbeServer.Builder builder) {
    server = builder.port(0).start();
    base = URI.create("http://127.0.0.1:" + server.port());
  }

  /** Opens a connection and sends a long-poll on it; the answer is read later. */
  private Socket watch(String path, String etag, int seconds) throws IOException {
    return sockets.watch(base, path, etag, seconds);
  }

  private static ConditionFactory waiting() {
    return Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5));
  }

  @Test
  void thousandWatchersAreParkedOnTheOneServerThreadAndAllAnsweredOnATransition() throws Exception {
    start(ProbeServer.builder(endpoints).maxConnections(WATCHERS + 16));
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long heapBefore = memory.getHeapMemoryUsage().getUsed();
    Set<Long> threadsBefore = liveThreadIds();

    List<Socket> watchers = new ArrayList<>();
    for (int i = 0; i < WATCHERS; i++) {
      watchers.add(watch("/readyz", "\"up\"", 30));
    }
    waiting().until(() -> endpoints.hub().size() == WATCHERS);

    Set<String> newThreads =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> !threadsBefore.contains(t.getId()))
            .map(Thread::getName)
            .collect(Collectors.toSet());
    // A thread per watcher would show as a thousand; an earlier test's lifecycle timer (its
    // pre-stop resume, say) or Awaitility's own poller may start one in this window, which says
    // nothing here.
    assertThat(newThreads.stream()
            .filter(name -> !name.equals("probekit-prestop-resume") && !name.equals("awaitility-thread")))
        .as("threads started while %d watchers wait", WATCHERS)
        .isEmpty();
    assertThat(Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith(ProbeServer.THREAD_NAME)))
        .as("the server's threads").hasSize(1);
    System.gc();
    long heapGrowth = memory.getHeapMemoryUsage().getUsed() - heapBefore;
    // Per watcher: an 8 KiB head buffer and a few small objects; both ends of every socket are
    // in this JVM.
    assertThat(heapGrowth).as("heap growth for %d watchers, bytes", WATCHERS).isLessThan(32L << 20);

    // The server still answers an ordinary probe at once.
    assertThat(RawHttp.exchange(base, "GET", "/livez").status()).isEqualTo(200);

    long changed = System.nanoTime();
    health.readiness().down("maintenance");
    long firstMillis = -1;
    for (Socket socket : watchers) {
      RawHttp.Response response = answer(socket);
      if (firstMillis < 0) {
        firstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changed);
      }
      assertThat(response.status()).isEqualTo(503);
      assertThat(response.body()).isEqualTo("readiness check failed");
      assertThat(response.header("ETag")).isEqualTo("\"down\"");
    }
    long allMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changed);
    System.out.printf("long-poll: %d watchers, heap growth %d KiB, first answer %d ms, all %d ms%n",
        WATCHERS, heapGrowth >> 10, firstMillis, allMillis);
    assertThat(firstMillis).as("transition to first answer, ms").isLessThan(200);
    assertThat(allMillis).as("transition to the last of %d answers, ms", WATCHERS).isLessThan(3_000);
    assertThat(endpoints.hub().size()).as("answered watchers unsubscribe").isZero();
  }

  @Test
  void watchersAreReleasedAtDrainStartWithConnectionClose() throws Exception {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofMillis(5_000)).build();
    start(ProbeServer.builder(endpoints).lifecycle(lifecycle));
    Socket live = watch("/livez", "\"up\"", 30);
    Socket ready = watch("/readyz", "\"up\"", 30);
    waiting().until(() -> endpoints.hub().size() == 2);

    long drainStart = System.nanoTime();
    lifecycle.preStopAsync();
    RawHttp.Response readyAnswer = answer(ready);
    RawHttp.Response liveAnswer = answer(live);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStart);

    assertThat(readyAnswer.status()).isEqualTo(503);
    assertThat(readyAnswer.header("ETag")).isEqualTo("\"down\"");
    assertThat(readyAnswer.header("Connection")).isEqualTo("close");
    // Liveness did not change: released with 304, its tag still current.
    assertThat(liveAnswer.status()).isEqualTo(304);
    assertThat(liveAnswer.header("ETag")).isEqualTo("\"up\"");
    assertThat(liveAnswer.header("Connection")).isEqualTo("close");
    assertThat(millis).as("released long before the 5 s pre-stop delay is over").isLessThan(2_000);
    assertThat(endpoints.hub().size()).isZero();

    // A watcher that comes while draining is answered at once.
    long t0 = System.nanoTime();
    RawHttp.Response late = answer(watch("/livez", "\"up\"", 30));
    assertThat(late.status()).isEqualTo(304);
    assertThat(late.header("Connection")).isEqualTo("close");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2_000);
  }

  @Test
  void watchersWhoseStatusDoesNotChangeAreReleasedAtDrainEvenIfReadinessWasAlreadyDown()
      throws Exception {
    health.readiness().down("warming up");
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofMillis(5_000)).build();
    start(ProbeServer.builder(endpoints).lifecycle(lifecycle));
    Socket ready = watch("/readyz", "\"down\"", 30);
    waiting().until(() -> endpoints.hub().size() == 1);

    lifecycle.preStopAsync();
    RawHttp.Response answer = answer(ready);
    assertThat(answer.status()).isEqualTo(304);
    assertThat(answer.header("Connection")).isEqualTo("close");
  }

  @Test
  void watcherThatLeavesIsForgottenAtOnce() throws Exception {
    start(ProbeServer.builder(endpoints));
    Socket socket = watch("/readyz", "\"up\"", 30);
    waiting().until(() -> endpoints.hub().size() == 1);
    socket.close();
    waiting().until(() -> endpoints.hub().size() == 0);
  }

  @Test
  void keepAliveWatcherCanWatchAgainOnTheSameConnection() throws Exception {
    start(ProbeServer.builder(endpoints));
    Socket socket = watch("/readyz", "\"up\"", 1);
    InputStream in = new BufferedInputStream(socket.getInputStream());
    RawHttp.Response first = RawHttp.read(in, false);
    assertThat(first.status()).isEqualTo(304);
    assertThat(first.header("Content-Length")).as("a 304 has no body").isNull();
    RawHttp.write(socket.getOutputStream(), base, "GET", "/readyz", false,
        "If-None-Match: \"up\"", "Prefer: wait=30");
    waiting().until(() -> endpoints.hub().size() == 1);
    health.readiness().down("maintenance");
    assertThat(RawHttp.read(in, false).status()).isEqualTo(503);
  }

  @Test
  void atTheCapAWatcherMakesRoomForAProbe() throws Exception {
    start(ProbeServer.builder(endpoints).maxConnections(3));
    List<Socket> watchers = List.of(
        watch("/readyz", "\"up\"", 30), watch("/readyz", "\"up\"", 30), watch("/livez", "\"up\"", 30));
    waiting().until(() -> endpoints.hub().size() == 3);

    RawHttp.Response probe = RawHttp.exchange(base, "GET", "/readyz");
    assertThat(probe.status()).isEqualTo(200);
    assertThat(endpoints.hub().size()).as("the evicted watcher unsubscribed").isEqualTo(2);
    int closed = 0;
    for (Socket socket : watchers) {
      socket.setSoTimeout(200);
      try {
        closed += socket.getInputStream().read() < 0 ? 1 : 0;
      } catch (java.net.SocketTimeoutException stillWaiting) {
        // one of the two left waiting
      }
    }
    assertThat(closed).as("watchers closed to make room").isEqualTo(1);
  }

  private static Set<Long> liveThreadIds() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getId).collect(Collectors.toSet());
  }
}
