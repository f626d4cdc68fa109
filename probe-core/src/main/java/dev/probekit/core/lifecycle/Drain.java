package dev.probekit.core.lifecycle;

import dev.probekit.core.internal.Durations;
import dev.probekit.core.internal.Failures;
import dev.probekit.core.internal.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One drain of many {@link DrainParticipant}s: {@link #stopAccepting(Duration)} tells all of them
 * at once (a thread each, so one that hangs holds no other), then {@link #await(Duration)} waits for
 * all of them in parallel until the deadline, logging progress at most every {@code progressEvery}.
 *
 * <pre>
 *   stopAccepting: ─┬─ p1.stopAccepting ─┐
 *                   ├─ p2.stopAccepting ─┼─> all returned, or the bound (a hang is a fault)
 *                   └─ ...              ─┘
 *   await:         ─┬─ p1.awaitIdle ─┐    progress line every few seconds
 *                   ├─ p2.awaitIdle ─┼─> all idle, or the deadline: interrupt the rest,
 *                   └─ ...          ─┘   report drained / abandoned / failure per participant
 * </pre>
 *
 * <p>Used once; not thread-safe (the lifecycle's shutdown thread drives it).
 */
final class Drain {
  private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);
  /** Default interval between progress lines: 5 s. */
  static final Duration DEFAULT_PROGRESS_EVERY = Duration.ofSeconds(5);
  /** How long a participant interrupted at the deadline gets to return before it counts as hung. */
  private static final long INTERRUPT_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** Where faults go: the lifecycle logs, counts and tells its listeners. */
  interface Faults {
    /**
     * @param what what failed, such as {@code "drain participant 'jobs' awaitIdle"}
     * @param thrown what it threw, or null when it hung
     * @param description how it failed when it hung
     */
    void report(String what, Throwable thrown, String description);
  }

  private final List<Entry> entries = new ArrayList<>();
  private final Ticker ticker;
  private final Duration progressEvery;
  private final Faults faults;

  Drain(List<DrainParticipant> participants, Ticker ticker, Duration progressEvery, Faults faults) {
    for (DrainParticipant p : participants) {
      Entry e = new Entry(p);
      // Counted from here: the lifecycle builds the drain before the servers stop accepting, so
      // what finishes while they close is drained too.
      e.finishedAtStart = finished(e);
      e.inFlightAtStart = inFlight(e);
      entries.add(e);
    }
    this.ticker = ticker;
    this.progressEvery = progressEvery;
    this.faults = faults;
  }

  /** Tells every participant to stop accepting, in parallel; waits for them at most {@code bound}. */
  void stopAccepting(Duration bound) {
    CountDownLatch returned = new CountDownLatch(entries.size());
    for (Entry e : entries) {
      e.stopper =
          start(
              "probekit-stop-accepting-" + e.name,
              () -> {
                try {
                  e.participant.stopAccepting();
                } catch (Throwable t) {
                  e.stopFailure = t;
                } finally {
                  e.stopReturned = true;
                  returned.countDown();
                }
              });
    }
    awaitLatch(returned, ticker.read() + bound.toNanos(), false);
    for (Entry e : entries) {
      if (e.stopFailure != null) {
        e.failure = "stopAccepting threw " + Failures.describeBriefly(e.stopFailure);
        faults.report("drain participant '" + e.name + "' stopAccepting", e.stopFailure, null);
      } else if (!e.stopReturned) {
        e.failure = "stopAccepting did not return within " + Durations.format(bound);
        faults.report("drain participant '" + e.name + "'", null, e.failure);
      }
    }
  }

  /** What the participants still hold, one line: {@code "http 2, jobs 5, mail 0 (idle)"}. */
  String holding() {
    StringBuilder sb = new StringBuilder();
    for (Entry e : entries) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(e.name).append(' ');
      if (e.done) {
        sb.append(e.idle ? "idle" : "gave up");
      } else {
        long n = inFlight(e);
        sb.append(n < 0 ? "?" : String.valueOf(n)).append(" in flight");
      }
    }
    return sb.toString();
  }

  /**
   * Waits for every participant to become idle, in parallel, until {@code timeout} has passed; a
   * participant still waiting then is interrupted and reported.
   *
   * @return one report per participant, in registration order
   */
  List<ParticipantReport> await(Duration timeout) {
    long start = ticker.read();
    long deadline = start + timeout.toNanos();
    CountDownLatch idle = new CountDownLatch(entries.size());
    for (Entry e : entries) {
      e.waiter =
          start(
              "probekit-drain-" + e.name,
              () -> {
                try {
                  e.idle = e.participant.awaitIdle(Duration.ofNanos(Math.max(0, deadline - ticker.read())));
                } catch (Throwable t) {
                  e.waitFailure = t;
                } finally {
                  e.took = Duration.ofNanos(Math.max(0, ticker.read() - start));
                  e.done = true;
                  idle.countDown();
                }
              });
    }
    awaitLatch(idle, deadline, true);
    // At the deadline: interrupt who still waits, and give them a moment to return on their own.
    List<Entry> late = new ArrayList<>();
    for (Entry e : entries) {
      if (!e.done && e.waiter != null) {
        e.waiter.interrupt();
        late.add(e);
      }
    }
    if (!late.isEmpty()) {
      awaitLatch(idle, System.nanoTime() + INTERRUPT_GRACE_NANOS, false, true);
    }
    List<ParticipantReport> reports = new ArrayList<>();
    for (Entry e : entries) {
      reports.add(report(e, Duration.ofNanos(Math.max(0, ticker.read() - start)), timeout));
    }
    return reports;
  }

  private ParticipantReport report(Entry e, Duration waited, Duration timeout) {
    String failure = e.failure;
    if (e.waitFailure != null && !(e.waitFailure instanceof InterruptedException)) {
      String how = "awaitIdle threw " + Failures.describeBriefly(e.waitFailure);
      failure = failure == null ? how : failure + "; " + how;
      faults.report("drain participant '" + e.name + "' awaitIdle", e.waitFailure, null);
    } else if (!e.done) {
      String how = "awaitIdle did not return within " + Durations.format(timeout) + " (hung)";
      failure = failure == null ? how : failure + "; " + how;
      faults.report("drain participant '" + e.name + "'", null, how);
    }
    long left = e.done && e.idle ? 0 : Math.max(0, inFlight(e));
    long dropped = e.participant instanceof Counted ? dropped(e) : 0;
    long finishedNow = finished(e);
    long drained =
        e.finishedAtStart >= 0 && finishedNow >= 0
            ? finishedNow - e.finishedAtStart
            : Math.max(0, e.inFlightAtStart - left);
    Duration took = e.done ? e.took : waited;
    return ParticipantReport.of(e.name, Math.max(0, drained), left + dropped, took, failure);
  }

  /** Waits on {@code latch} until {@code deadline} (ticker time), logging progress if asked. */
  private void awaitLatch(CountDownLatch latch, long deadline, boolean progress) {
    awaitLatch(latch, deadline, progress, false);
  }

  private void awaitLatch(CountDownLatch latch, long deadline, boolean progress, boolean realTime) {
    long nextProgress = ticker.read() + progressEvery.toNanos();
    try {
      while (latch.getCount() > 0) {
        long now = realTime ? System.nanoTime() : ticker.read();
        if (now >= deadline) {
          return;
        }
        // Polls, rather than one timed await: the deadline is on the (injectable) ticker.
        latch.await(Math.min(POLL_NANOS, deadline - now), TimeUnit.NANOSECONDS);
        if (progress && latch.getCount() > 0 && ticker.read() >= nextProgress) {
          nextProgress = ticker.read() + progressEvery.toNanos();
          String line = holding();
          safeLog(() -> log.info("shutdown: still draining: {}", line));
        }
      }
    } catch (InterruptedException e) {
      // The shutdown thread was interrupted: stop waiting, as the deadline would, and keep the flag.
      Thread.currentThread().interrupt();
    }
  }

  private static Thread start(String threadName, Runnable body) {
    try {
      Thread t = new Thread(body, threadName);
      t.setDaemon(true);
      t.start();
      return t;
    } catch (Throwable t) {
      // No thread (out of memory, or of threads): run it here rather than never.
      body.run();
      return null;
    }
  }

  private static long inFlight(Entry e) {
    try {
      return e.participant.inFlight();
    } catch (Throwable t) {
      return -1;
    }
  }

  private static long finished(Entry e) {
    if (!(e.participant instanceof Counted)) {
      return -1;
    }
    try {
      return ((Counted) e.participant).finished();
    } catch (Throwable t) {
      return -1;
    }
  }

  private static long dropped(Entry e) {
    try {
      return Math.max(0, ((Counted) e.participant).dropped());
    } catch (Throwable t) {
      return 0;
    }
  }

  private static void safeLog(Runnable logging) {
    try {
      logging.run();
    } catch (Throwable ignored) {
      // A broken logger must not stop the drain.
    }
  }

  /** One participant and what happened to it; written by its threads, read after their latch. */
  private static final class Entry {
    final DrainParticipant participant;
    final String name;
    long finishedAtStart = -1;
    long inFlightAtStart;
    Thread stopper;
    Thread waiter;
    volatile boolean stopReturned;
    volatile Throwable stopFailure;
    volatile String failure;
    volatile boolean done;
    volatile boolean idle;
    volatile Throwable waitFailure;
    volatile Duration took;

    Entry(DrainParticipant participant) {
      this.participant = participant;
      String n;
      try {
        n = participant.name();
      } catch (Throwable t) {
        n = null;
      }
      this.name = n != null ? n : Failures.name(participant);
    }
  }
}
