package dev.probekit.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.micrometer.ProbeMetrics;
import dev.probekit.testsupport.StderrCapture;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Executors, schedulers, a consumer loop and streams drained together with the HTTP requests. */
class DrainParticipantTest {
  private static final Duration LONG = Duration.ofSeconds(20);
  private final HealthRegistry health = HealthRegistry.builder().build();
  private final CountDownLatch gate = new CountDownLatch(1);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    gate.countDown();
    for (AutoCloseable c : toClose) {
      c.close();
    }
    health.close();
  }

  private Lifecycle lifecycle(Duration drainTimeout) {
    return Lifecycle.builder(health).preStopDelay(Duration.ZERO).drainTimeout(drainTimeout).build();
  }

  private static CompletableFuture<ShutdownSummary> shutdownInBackground(Lifecycle lifecycle) {
    return CompletableFuture.supplyAsync(lifecycle::shutdown);
  }

  private static Map<String, ParticipantReport> byName(ShutdownSummary summary) {
    return summary.participants().stream()
        .collect(Collectors.toMap(ParticipantReport::name, Function.identity()));
  }

  private void awaitGate() {
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void executorRejectsNewTasksAndFinishesRunningAndQueuedOnes() {
    Lifecycle lifecycle = lifecycle(LONG);
    MeterRegistry registry = new SimpleMeterRegistry();
    ProbeMetrics metrics = new ProbeMetrics(health, lifecycle);
    toClose.add(metrics);
    metrics.bindTo(registry);
    DrainingExecutorService mail =
        lifecycle.addDrainParticipant(DrainParticipant.executor("mail", Executors.newFixedThreadPool(1)));
    AtomicInteger ran = new AtomicInteger();
    mail.execute(
        () -> {
          awaitGate();
          ran.incrementAndGet();
        });
    for (int i = 0; i < 4; i++) {
      mail.execute(ran::incrementAndGet);
    }
    assertThat(mail.inFlight()).isEqualTo(5);

    CompletableFuture<ShutdownSummary> shutdown = shutdownInBackground(lifecycle);
    await().atMost(LONG).until(mail::isShutdown);
    assertThatThrownBy(() -> mail.execute(ran::incrementAndGet))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("draining");
    assertThat(shutdown).isNotDone();
    gate.countDown();
    ShutdownSummary summary = shutdown.join();

    assertThat(ran).hasValue(5);
    assertThat(byName(summary).get("mail").drained()).isEqualTo(5);
    assertThat(byName(summary).get("mail").abandoned()).isZero();
    assertThat(summary.participants().get(0).name()).isEqualTo(DrainParticipant.HTTP);
    assertThat(summary.isClean()).isTrue();
    assertThat(summary.toString()).contains("participants [mail drained=5 abandoned=0");
    assertThat(registry.get(ProbeMetrics.DRAIN_DRAINED).tag("participant", "mail").counter().count())
        .isEqualTo(5.0);
    assertThat(registry.get(ProbeMetrics.DRAIN_ABANDONED).tag("participant", "mail").counter().count())
        .isZero();
  }

  @Test
  void schedulerRunsNoNewPeriodicRunAndLetsTheRunningOneFinish() {
    Lifecycle lifecycle = lifecycle(LONG);
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    lifecycle.addDrainParticipant(DrainParticipant.scheduler("reports", scheduler));
    AtomicInteger started = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    scheduler.scheduleAtFixedRate(
        () -> {
          if (started.incrementAndGet() == 3) {
            awaitGate();
          }
          finished.incrementAndGet();
        },
        0,
        5,
        TimeUnit.MILLISECONDS);
    await().atMost(LONG).until(() -> started.get() == 3);

    CompletableFuture<ShutdownSummary> shutdown = shutdownInBackground(lifecycle);
    await().atMost(LONG).until(scheduler::isShutdown);
    gate.countDown();
    ShutdownSummary summary = shutdown.join();

    assertThat(scheduler.isTerminated()).isTrue();
    assertThat(started).hasValue(3);
    assertThat(finished).hasValue(3);
    assertThat(byName(summary).get("reports").abandoned()).isZero();
    assertThat(summary.isClean()).isTrue();
  }

  @Test
  void schedulerDropsDelayedTasksThatHaveNotStartedAndReportsThemAbandoned() {
    Lifecycle lifecycle = lifecycle(LONG);
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    lifecycle.addDrainParticipant(DrainParticipant.scheduler("reminders", scheduler));
    AtomicInteger ran = new AtomicInteger();
    scheduler.schedule(ran::incrementAndGet, 1, TimeUnit.HOURS);
    scheduler.schedule(ran::incrementAndGet, 2, TimeUnit.HOURS);

    ShutdownSummary summary = lifecycle.shutdown();

    assertThat(ran).hasValue(0);
    assertThat(scheduler.isTerminated()).isTrue();
    assertThat(byName(summary).get("reminders").abandoned()).isEqualTo(2);
    assertThat(summary.isClean()).isFalse();
    assertThat(summary.phaseDurations().get(DrainPhase.DRAIN)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void consumerPollsNoMoreAndCommitsTheBatchUnderWay() {
    Lifecycle lifecycle = lifecycle(LONG);
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int i = 1; i <= 10; i++) {
      queue.add(i);
    }
    List<Integer> committed = new CopyOnWriteArrayList<>();
    AtomicInteger polls = new AtomicInteger();
    PollingConsumer<Integer> consumer =
        lifecycle.addDrainParticipant(
            PollingConsumer.<Integer>builder(
                    "jobs",
                    () -> {
                      polls.incrementAndGet();
                      synchronized (queue) {
                        List<Integer> batch = new ArrayList<>();
                        while (batch.size() < 3 && !queue.isEmpty()) {
                          batch.add(queue.poll());
                        }
                        return batch;
                      }
                    },
                    batch -> awaitGate())
                .commit(committed::addAll)
                .build());
    toClose.add(consumer);
    consumer.start();
    await().atMost(LONG).until(() -> consumer.inFlight() == 3);

    CompletableFuture<ShutdownSummary> shutdown = shutdownInBackground(lifecycle);
    await().atMost(LONG).until(() -> lifecycle.lastCompletedPhase().orElse(null) == DrainPhase.STOP_ACCEPTING);
    assertThat(shutdown).isNotDone();
    gate.countDown();
    ShutdownSummary summary = shutdown.join();

    assertThat(committed).containsExactly(1, 2, 3);
    assertThat(polls).hasValue(1);
    assertThat(queue).hasSize(7);
    assertThat(byName(summary).get("jobs").drained()).isEqualTo(3);
    assertThat(byName(summary).get("jobs").abandoned()).isZero();
    assertThat(summary.isClean()).isTrue();
  }

  @Test
  void consumerDoesNotCommitABatchWhoseProcessingThrowsAndGoesOn() {
    List<List<Integer>> committed = new CopyOnWriteArrayList<>();
    AtomicInteger batches = new AtomicInteger();
    PollingConsumer<Integer> consumer =
        PollingConsumer.<Integer>builder(
                "flaky",
                () -> List.of(batches.incrementAndGet()),
                batch -> {
                  if (batch.get(0) == 1) {
                    throw new OutOfMemoryError("simulated");
                  }
                })
            .commit(committed::add)
            .failureBackoff(Duration.ofMillis(1))
            .build();
    toClose.add(consumer);
    consumer.start();

    await().atMost(LONG).until(() -> committed.size() >= 2);
    assertThat(committed.get(0)).containsExactly(2);
    assertThat(consumer.failedBatches()).isEqualTo(1);
  }

  @Test
  void streamsAreToldToEndAndGetTheirOwnBudgetNotTheDrainTimeout() {
    Lifecycle lifecycle = lifecycle(LONG);
    StreamRegistry streams = lifecycle.addDrainParticipant(StreamRegistry.of("sse", Duration.ofMillis(300)));
    List<StreamRegistry.Stream> polite = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 2; i++) {
      StreamRegistry.Stream[] self = new StreamRegistry.Stream[1];
      // A polite client: told to end, it hangs up at once.
      self[0] = streams.open(() -> self[0].close());
      polite.add(self[0]);
    }
    AtomicInteger deafTold = new AtomicInteger();
    streams.open(deafTold::incrementAndGet); // told, never hangs up
    streams.open(() -> {
      throw new IllegalStateException("broken emitter");
    });

    long start = System.nanoTime();
    ShutdownSummary summary = lifecycle.shutdown();
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(deafTold).hasValue(1);
    assertThat(tookMillis).isLessThan(5_000);
    ParticipantReport sse = byName(summary).get("sse");
    assertThat(sse.drained()).isEqualTo(2);
    assertThat(sse.abandoned()).isEqualTo(2);
    assertThatThrownBy(() -> streams.open(() -> {})).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aParticipantThatThrowsOrHangsIsReportedAndTheOthersStillDrain() {
    Lifecycle lifecycle = lifecycle(Duration.ofMillis(500));
    lifecycle.addDrainParticipant(
        participant(
            "throws",
            () -> {
              throw new StackOverflowError("simulated");
            },
            timeout -> true));
    lifecycle.addDrainParticipant(
        participant(
            "hangs",
            () -> {},
            timeout -> {
              // Deaf to interrupts: the drain must not wait for it past its deadline.
              while (gate.getCount() > 0) {
                LockSupport.parkNanos(1_000_000L);
              }
              return true;
            }));
    DrainingExecutorService pool =
        lifecycle.addDrainParticipant(DrainParticipant.executor("pool", Executors.newFixedThreadPool(2)));
    AtomicInteger ran = new AtomicInteger();
    for (int i = 0; i < 6; i++) {
      pool.execute(ran::incrementAndGet);
    }

    long start = System.nanoTime();
    ShutdownSummary summary = lifecycle.shutdown();
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(ran).hasValue(6);
    assertThat(byName(summary).get("pool").isClean()).isTrue();
    assertThat(byName(summary).get("throws").failure()).get().asString().contains("StackOverflowError");
    assertThat(byName(summary).get("hangs").failure()).get().asString().contains("hung");
    assertThat(summary.faults()).hasSize(2);
    assertThat(summary.isClean()).isFalse();
    assertThat(tookMillis).isBetween(450L, 5_000L);
  }

  @Test
  void progressIsLoggedNamingEachParticipantAndWhatItHolds() {
    Lifecycle lifecycle =
        Lifecycle.builder(health)
            .preStopDelay(Duration.ZERO)
            .drainTimeout(LONG)
            .drainProgressInterval(Duration.ofMillis(100))
            .build();
    DrainingExecutorService mail =
        lifecycle.addDrainParticipant(DrainParticipant.executor("mail", Executors.newFixedThreadPool(1)));
    mail.execute(this::awaitGate);
    mail.execute(() -> {});
    try (StderrCapture log = new StderrCapture()) {
      CompletableFuture<ShutdownSummary> shutdown = shutdownInBackground(lifecycle);
      await().atMost(LONG).until(() -> !log.lines("still draining: http idle, mail 2 in flight").isEmpty());
      gate.countDown();
      assertThat(shutdown.join().isClean()).isTrue();
    }
  }

  @Test
  void participantNamesAreUniqueAndHttpIsTaken() {
    Lifecycle lifecycle = lifecycle(LONG);
    lifecycle.addDrainParticipant(StreamRegistry.of("a"));
    assertThatThrownBy(() -> lifecycle.addDrainParticipant(StreamRegistry.of("a")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> lifecycle.addDrainParticipant(StreamRegistry.of(DrainParticipant.HTTP)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A participant with nothing in flight, built from its two calls. */
  private static DrainParticipant participant(String name, Runnable stop, IdleWait await) {
    return new DrainParticipant() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void stopAccepting() {
        stop.run();
      }

      @Override
      public long inFlight() {
        return 0;
      }

      @Override
      public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return await.awaitIdle(timeout);
      }
    };
  }

  private interface IdleWait {
    boolean awaitIdle(Duration timeout) throws InterruptedException;
  }
}
