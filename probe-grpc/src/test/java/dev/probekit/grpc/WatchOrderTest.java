package dev.probekit.grpc;

import static io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING;
import static io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.HealthRegistry;
import dev.probekit.grpc.GrpcFixtures.Switch;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code Watch}: the current status at once, then every transition, in order. */
class WatchOrderTest {
  private HealthRegistry health;
  private GrpcProbeServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    health = HealthRegistry.builder().build();
    server = GrpcProbeServer.builder(health).port(0).start();
    channel = GrpcFixtures.channel(server.port());
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.close();
    health.close();
  }

  @Test
  void everyTransitionArrivesInOrderOnEveryWatchedName() {
    WatchRecorder readiness = WatchRecorder.watch(channel, "readiness");
    WatchRecorder overall = WatchRecorder.watch(channel, "");
    WatchRecorder liveness = WatchRecorder.watch(channel, "liveness");
    await().until(() -> readiness.last() == SERVING && overall.last() == SERVING);
    await().until(() -> liveness.last() == SERVING);

    // Back-to-back transitions, no pause between them: fewer than the per-watcher bound, so a
    // reading watcher must see each one.
    int flips = 7;
    for (int i = 0; i < flips; i++) {
      health.readiness().down("flip " + i);
      health.readiness().clear();
    }
    List<ServingStatus> expected = new ArrayList<>();
    expected.add(SERVING);
    for (int i = 0; i < flips; i++) {
      expected.add(NOT_SERVING);
      expected.add(SERVING);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> readiness.statuses.size() == expected.size());
    await().atMost(Duration.ofSeconds(10)).until(() -> overall.statuses.size() == expected.size());
    assertThat(readiness.statuses).containsExactlyElementsOf(expected);
    assertThat(overall.statuses).containsExactlyElementsOf(expected);
    // A probe that did not change sends nothing more.
    assertThat(liveness.statuses).containsExactly(SERVING);
  }

  @Test
  void aCheckWatcherSeesItsTransitions() {
    Switch db = Switch.register(health, "db", dev.probekit.core.Probe.READINESS);
    await().atMost(Duration.ofSeconds(10)).until(() -> GrpcFixtures.check(channel, "db") == SERVING);
    WatchRecorder watch = WatchRecorder.watch(channel, "db");
    await().until(() -> watch.last() == SERVING);
    for (int i = 0; i < 3; i++) {
      db.down();
      await().atMost(Duration.ofSeconds(10)).until(() -> watch.last() == NOT_SERVING);
      db.up();
      await().atMost(Duration.ofSeconds(10)).until(() -> watch.last() == SERVING);
    }
    assertThat(watch.statuses)
        .containsExactly(SERVING, NOT_SERVING, SERVING, NOT_SERVING, SERVING, NOT_SERVING, SERVING);
  }

  @Test
  void aFlappingProbeNeverSendsTheSameStatusTwiceInARowAndEndsOnTheLatest() {
    WatchRecorder watch = WatchRecorder.watch(channel, "readiness");
    await().until(() -> watch.last() == SERVING);
    for (int i = 0; i < 2_000; i++) {
      health.readiness().down("flap");
      health.readiness().clear();
    }
    health.readiness().down("final");
    await().atMost(Duration.ofSeconds(20)).until(() -> watch.last() == NOT_SERVING);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.service().pendingStatuses() == 0);
    List<ServingStatus> seen = watch.statuses;
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i)).as("message %d", i).isNotEqualTo(seen.get(i - 1));
    }
    assertThat(seen.size()).isLessThanOrEqualTo(1 + 4_001);
  }
}
