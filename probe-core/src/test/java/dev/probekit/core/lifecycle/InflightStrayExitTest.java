package dev.probekit.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** A stray exit() is counted and ignored; it never hides a request that is running. */
class InflightStrayExitTest {

  @Test
  void strayExitThenEnterStillCountsTheRunningRequest() throws Exception {
    InflightTracker tracker = InflightTracker.create();

    tracker.exit(); // stray: nothing in flight
    tracker.enter(); // a real request, still running

    assertThat(tracker.current()).isEqualTo(1);
    assertThat(tracker.strayExits()).isEqualTo(1);
    assertThat(tracker.finished()).isZero();
    // The drain must wait for it: before the fix this returned true at once.
    assertThat(tracker.awaitZero(Duration.ofMillis(200))).isFalse();

    tracker.exit();
    assertThat(tracker.current()).isZero();
    assertThat(tracker.awaitZero(Duration.ofMillis(200))).isTrue();
    assertThat(tracker.toString()).contains("strayExits=1");
  }

  @Test
  void aDoubleExitIsCaughtWhenTheLastRequestLeaves() {
    InflightTracker tracker = InflightTracker.create();
    tracker.enter();
    tracker.exit();
    tracker.exit(); // the same request counted out twice
    tracker.exit();

    assertThat(tracker.strayExits()).isEqualTo(2);
    assertThat(tracker.current()).isZero();
    assertThat(tracker.started()).isEqualTo(1);
    assertThat(tracker.finished()).isEqualTo(1);
  }

  @Test
  void concurrentRequestsWithStraysNeverGoBelowZeroAndBalanceOut() throws Exception {
    InflightTracker tracker = InflightTracker.create();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try {
      for (int t = 0; t < 4; t++) {
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < 50_000; i++) {
                    tracker.enter();
                    assertThat(tracker.current()).isPositive();
                    tracker.exit();
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(tracker.current()).isZero();
    assertThat(tracker.started()).isEqualTo(200_000);
    assertThat(tracker.finished()).isEqualTo(200_000);
    assertThat(tracker.strayExits()).isZero();
  }
}
