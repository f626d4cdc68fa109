package dev.probekit.grpc;

import static dev.probekit.grpc.GrpcFixtures.check;
import static io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING;
import static io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVICE_UNKNOWN;
import static io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;
import static io.grpc.health.v1.HealthCheckResponse.ServingStatus.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.grpc.GrpcFixtures.Switch;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The grpc.health.v1 protocol over a real GrpcProbeServer and a real grpc-java client. */
class HealthProtocolTest {
  private HealthRegistry health;
  private GrpcProbeServer server;
  private ManagedChannel channel;
  private Switch db;
  private Switch deadlocks;
  private final CountDownLatch never = new CountDownLatch(1);

  @BeforeEach
  void start() {
    health = HealthRegistry.builder().build();
    db = Switch.register(health, "db", Probe.READINESS);
    deadlocks = Switch.register(health, "deadlocks", Probe.LIVENESS);
    // A check that never completes: UNKNOWN forever, and no probe may wait for it.
    health.register(
        "warmup",
        () -> {
          never.await();
          return CheckResult.up();
        },
        CheckOptions.builder(Probe.STARTUP).timeout(Duration.ofMinutes(5)).build());
    server = GrpcProbeServer.builder(health).port(0).start();
    channel = GrpcFixtures.channel(server.port());
    health.startup().down("warming up");
  }

  @AfterEach
  void stop() {
    never.countDown();
    channel.shutdownNow();
    server.close();
    health.close();
  }

  static Stream<Arguments> services() {
    return Stream.of(
        Arguments.of("", NOT_SERVING), // startup is held DOWN
        Arguments.of("liveness", SERVING),
        Arguments.of("readiness", SERVING),
        Arguments.of("startup", NOT_SERVING),
        Arguments.of("db", SERVING),
        Arguments.of("deadlocks", SERVING),
        Arguments.of("warmup", UNKNOWN));
  }

  @ParameterizedTest(name = "Check(\"{0}\") = {1}")
  @MethodSource("services")
  void checkAnswersFromTheSnapshots(String service, ServingStatus expected) {
    await().atMost(Duration.ofSeconds(10)).until(() -> health.check("db").get().lastResult().isPresent());
    await().until(() -> health.check("deadlocks").get().lastResult().isPresent());
    assertThat(check(channel, service)).isEqualTo(expected);
  }

  @Test
  void overallIsServingOnlyWhenEveryProbeIsUp() {
    // Without the startup override the pending startup check still holds startup DOWN.
    health.startup().clear();
    assertThat(check(channel, "")).isEqualTo(NOT_SERVING);
    health.unregister("warmup");
    await().atMost(Duration.ofSeconds(10)).until(() -> check(channel, "") == SERVING);
    db.down();
    await().atMost(Duration.ofSeconds(10)).until(() -> check(channel, "") == NOT_SERVING);
    assertThat(check(channel, "readiness")).isEqualTo(NOT_SERVING);
    assertThat(check(channel, "db")).isEqualTo(NOT_SERVING);
    assertThat(check(channel, "liveness")).isEqualTo(SERVING);
  }

  @ParameterizedTest(name = "unknown service \"{0}\"")
  @MethodSource("unknownNames")
  void unknownServiceIsNotFound(String service) {
    assertThatThrownBy(() -> check(channel, service))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              // The requested name is never echoed back.
              assertThat(String.valueOf(e.getStatus().getDescription())).isEqualTo("unknown service");
            });
  }

  static List<String> unknownNames() {
    return List.of("nope", "grpc.health.v1.Health", "Readiness", "x".repeat(65), "db/", "\u0000\n");
  }

  @Test
  void watchOfAnUnknownServiceSaysSoAndFollowsItsRegistration() {
    WatchRecorder watch = WatchRecorder.watch(channel, "cache");
    await().until(() -> watch.statuses.equals(List.of(SERVICE_UNKNOWN)));
    Switch cache = Switch.register(health, "cache", Probe.READINESS);
    await().atMost(Duration.ofSeconds(10)).until(() -> SERVING == watch.last());
    cache.down();
    await().atMost(Duration.ofSeconds(10)).until(() -> NOT_SERVING == watch.last());
    health.unregister("cache");
    await().until(() -> SERVICE_UNKNOWN == watch.last());
    assertThat(watch.statuses)
        .containsExactly(SERVICE_UNKNOWN, UNKNOWN, SERVING, NOT_SERVING, SERVICE_UNKNOWN);
    assertThat(watch.completed).isFalse();
    assertThat(watch.error).isNull();
  }

  @Test
  void requestsOverTheSizeLimitAreRefused() {
    assertThatThrownBy(() -> check(channel, "x".repeat(GrpcProbeServer.MAX_REQUEST_BYTES + 1)))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    // The server is unharmed.
    assertThat(check(channel, "liveness")).isEqualTo(SERVING);
  }

  @Test
  void closingTheServerEndsWatchersWithNotServing() {
    WatchRecorder watch = WatchRecorder.watch(channel, "liveness");
    await().until(() -> SERVING == watch.last());
    server.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> watch.completed);
    assertThat(watch.statuses).containsExactly(SERVING, NOT_SERVING);
    assertThat(server.service().watchers()).isZero();
  }
}
