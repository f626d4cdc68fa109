package dev.probekit.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link InflightTracker#counting(Executor)}: queued and running tasks count; nothing leaks. */
class InflightCountingExecutorTest {
  private final InflightTracker tracker = InflightTracker.create();
  // One worker and a queue of one: the second task waits in the queue, the third is refused.
  private final ExecutorService workers =
      new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1));

  @AfterEach
  void shutDown() {
    workers.shutdownNow();
  }

  @Test
  void aTaskCountsFromHandOverUntilItReturnsQueueTimeIncluded() throws Exception {
    Executor counting = tracker.counting(workers);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    counting.execute(
        () -> {
          running.countDown();
          awaitQuietly(release);
        });
    counting.execute(() -> {});
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    // One running, one queued behind it: both are in flight, so a drain waits for both.
    assertThat(tracker.current()).isEqualTo(2);
    assertThat(tracker.awaitZero(Duration.ofMillis(50))).isFalse();

    release.countDown();
    assertThat(tracker.awaitZero(Duration.ofSeconds(10))).isTrue();
    assertThat(tracker.started()).isEqualTo(2);
    assertThat(tracker.finished()).isEqualTo(2);
    assertThat(tracker.strayExits()).isZero();
  }

  @Test
  void aRefusedTaskIsCountedOutAndTheRefusalRethrown() throws Exception {
    Executor counting = tracker.counting(workers);
    CountDownLatch release = new CountDownLatch(1);
    counting.execute(() -> awaitQuietly(release));
    counting.execute(() -> {});

    assertThatThrownBy(() -> counting.execute(() -> {}))
        .isInstanceOf(RejectedExecutionException.class);
    assertThat(tracker.current()).isEqualTo(2);

    release.countDown();
    assertThat(tracker.awaitZero(Duration.ofSeconds(10))).isTrue();
    assertThat(tracker.strayExits()).isZero();
  }

  @Test
  void aTaskThatThrowsAnErrorIsCountedOutToo() throws Exception {
    // The error ends the worker thread, uncaught, as it would in a server; its own handler
    // records it, so that no other test's Awaitility sees a stray uncaught error.
    AtomicReference<Throwable> uncaught = new AtomicReference<>();
    ExecutorService dying =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "dying-worker");
              t.setUncaughtExceptionHandler((thread, e) -> uncaught.set(e));
              return t;
            });
    try {
      tracker
          .counting(dying)
          .execute(
              () -> {
                throw new StackOverflowError("thrown by the handler");
              });
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> uncaught.get() != null);
    } finally {
      dying.shutdownNow();
    }
    assertThat(uncaught.get()).isInstanceOf(StackOverflowError.class);
    assertThat(tracker.finished()).isEqualTo(1);
    assertThat(tracker.current()).isZero();
    assertThat(tracker.strayExits()).isZero();
  }

  @Test
  void anExecutorThatThrowsAnErrorOnHandOverLeavesNothingCounted() {
    Executor broken =
        task -> {
          throw new OutOfMemoryError("unable to create native thread");
        };
    assertThatThrownBy(() -> tracker.counting(broken).execute(() -> {}))
        .isInstanceOf(OutOfMemoryError.class);
    assertThat(tracker.current()).isZero();
    assertThat(tracker.strayExits()).isZero();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
