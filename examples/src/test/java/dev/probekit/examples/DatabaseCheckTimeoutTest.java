package dev.probekit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckResult;
import dev.probekit.core.CheckState;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.Status;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo's readiness check through a HikariCP pool whose {@code getConnection()} blocks: the
 * database's port accepts TCP connections and never answers (a hung server, a black-holing
 * firewall), and the pool waits 30 s for a connection. The check must still time out as its
 * options say, not after the pool's 30 s.
 */
class DatabaseCheckTimeoutTest {
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private ServerSocket blackhole;
  private DemoDatabase database;
  private HealthRegistry health;

  @AfterEach
  void close() throws IOException {
    if (health != null) {
      health.close();
    }
    // Unblock the pool's connection attempt first, so that closing the pool does not wait for it.
    if (blackhole != null) {
      blackhole.close();
    }
    for (Socket s : accepted) {
      s.close();
    }
    if (database != null) {
      database.close();
    }
  }

  @Test
  @Timeout(60)
  void readinessCheckOnABlockedPoolTimesOutAsConfigured() throws Exception {
    blackhole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (!blackhole.isClosed()) {
                try {
                  accepted.add(blackhole.accept()); // accepted, never answered
                } catch (IOException e) {
                  return; // closed by the test
                }
              }
            },
            "blackhole");
    acceptor.setDaemon(true);
    acceptor.start();
    database =
        new DemoDatabase(
            "jdbc:h2:tcp://127.0.0.1:" + blackhole.getLocalPort() + "/mem:blocked",
            "demo",
            "secret",
            Duration.ofSeconds(30));

    // The precondition: getConnection() really blocks.
    CompletableFuture<Connection> borrow =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return database.dataSource().getConnection();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> !borrow.isDone());
    await().atMost(Duration.ofSeconds(5)).until(() -> !accepted.isEmpty());

    health = HealthRegistry.builder().build();
    long start = System.nanoTime();
    health.register("database", DemoDatabase.readinessCheck(database.dataSource()), DemoDatabase.readinessOptions());
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> health.check("database").flatMap(CheckState::lastResult).isPresent());
    long downMillis = (System.nanoTime() - start) / 1_000_000;

    CheckResult result = health.check("database").flatMap(CheckState::lastResult).orElseThrow();
    System.out.printf("blocked pool: first result after %d ms: %s%n", downMillis, result.message().orElse(""));
    assertThat(result.status()).isEqualTo(Status.DOWN);
    assertThat(result.message()).hasValueSatisfying(m -> assertThat(m).contains("timed out after 1500ms"));
    // Cut at the check's 1.5 s timeout (plus scheduling on a loaded machine), not the pool's 30 s.
    assertThat(downMillis).isBetween(DemoDatabase.CHECK_TIMEOUT.toMillis() - 50, DemoDatabase.CHECK_TIMEOUT.toMillis() + 2_000);
    assertThat(health.snapshot(Probe.READINESS).status()).isEqualTo(Status.DOWN);
    // The next runs time out the same way (a hung run is never stacked behind another).
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> health.check("database").flatMap(CheckState::lastResult).orElseThrow() != result);
    assertThat(health.check("database").flatMap(CheckState::lastResult).orElseThrow().message())
        .hasValueSatisfying(m -> assertThat(m).contains("timed out after 1500ms"));
    assertThat(health.snapshot(Probe.READINESS).status()).isEqualTo(Status.DOWN);
    assertThat(borrow).isNotDone();
  }
}
