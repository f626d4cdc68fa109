package dev.probekit.grpc.internal;

import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open {@code Watch} call: a small bounded queue of statuses not yet sent, and a drain loop on
 * the hub's executor that sends them while the call {@linkplain ServerCallStreamObserver#isReady()
 * is ready}.
 *
 * <p>{@link #offer} is called from registry listeners, under the registry's lock: it only takes
 * this stream's monitor (never held across I/O) and hands the sending to the executor. A watcher
 * that does not read keeps at most {@link #MAX_PENDING} statuses here; beyond that the newest
 * queued status is replaced by the latest one, so a slow watcher skips intermediate transitions
 * but always ends on the current status. Consecutive equal statuses are sent once.
 */
final class WatchStream {
  private static final Logger log = LoggerFactory.getLogger(WatchStream.class);

  /** Statuses kept for a watcher that is not ready: enough for every transition of a flap. */
  static final int MAX_PENDING = 16;

  final String service;
  private final ServerCallStreamObserver<HealthCheckResponse> out;
  private final Executor executor;
  private final Runnable onDone;
  private final AtomicInteger wip = new AtomicInteger();

  // Guarded by this.
  private final ArrayDeque<ServingStatus> pending = new ArrayDeque<>(4);
  private ServingStatus lastOffered;
  private ServingStatus lastSent;
  private boolean started;
  /** The call was not ready at the last send: only its onReady handler schedules a drain. */
  private boolean awaitingReady;
  private boolean completing;
  private boolean done;

  WatchStream(
      String service,
      ServerCallStreamObserver<HealthCheckResponse> out,
      Executor executor,
      Runnable onDone) {
    this.service = service;
    this.out = out;
    this.executor = executor;
    this.onDone = onDone;
  }

  /**
   * Queues the first status, unless a listener already queued a newer one since this stream was
   * registered: the snapshot read for {@code current} can then only be older or equal.
   */
  void start(ServingStatus current) {
    synchronized (this) {
      if (started) {
        return;
      }
      started = true;
      if (!pending.isEmpty() || done) {
        return;
      }
      enqueue(current);
    }
    schedule();
  }

  /** Queues a status change; returns at once. */
  void offer(ServingStatus status) {
    synchronized (this) {
      if (done || completing) {
        return;
      }
      started = true;
      if (!enqueue(status) || awaitingReady) {
        // A watcher that does not read costs a coalescing enqueue per change, no task.
        return;
      }
    }
    schedule();
  }

  /** The call's onReady handler: the client reads again. */
  void onReady() {
    synchronized (this) {
      awaitingReady = false;
    }
    schedule();
  }

  /**
   * Sends {@code last} unless it was the last status sent (even to a watcher that is not ready:
   * one message) and completes the call.
   */
  void complete(ServingStatus last) {
    synchronized (this) {
      if (done || completing) {
        return;
      }
      completing = true;
      pending.clear();
      if (last != lastSent) {
        pending.add(last);
      }
      lastOffered = last;
    }
    schedule();
  }

  /** The call was cancelled by the client or the server: nothing more is sent. */
  void cancelled() {
    synchronized (this) {
      done = true;
      pending.clear();
    }
    onDone.run();
  }

  /** Statuses queued and not yet sent. */
  synchronized int pending() {
    return pending.size();
  }

  /** Called with the monitor held; whether something was queued. */
  private boolean enqueue(ServingStatus status) {
    if (status == lastOffered) {
      return false;
    }
    if (pending.size() >= MAX_PENDING) {
      // Coalesce: the newest queued status gives way to the latest one.
      pending.pollLast();
      if (pending.peekLast() == status) {
        lastOffered = status;
        return true;
      }
    }
    pending.addLast(status);
    lastOffered = status;
    return true;
  }

  /** Runs the drain loop on the executor: called from listeners and the call's onReady. */
  void schedule() {
    if (wip.getAndIncrement() == 0) {
      try {
        executor.execute(this::drain);
      } catch (RuntimeException e) {
        // A rejected task (executor shut down): the stream is being torn down anyway.
        wip.set(0);
        log.debug("watch stream for '{}' not drained: {}", service, e.toString());
      }
    }
  }

  private void drain() {
    int missed = 1;
    do {
      sendReady();
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void sendReady() {
    while (true) {
      ServingStatus next;
      synchronized (this) {
        if (done) {
          return;
        }
        if (pending.isEmpty()) {
          if (!completing) {
            return;
          }
          next = null;
          done = true;
        } else if (!completing && !out.isReady()) {
          // The onReady handler schedules us again once the client reads.
          awaitingReady = true;
          return;
        } else {
          next = pending.pollFirst();
          lastSent = next;
        }
      }
      try {
        if (next != null) {
          out.onNext(ServingStatuses.response(next));
          continue;
        }
        out.onCompleted();
      } catch (RuntimeException e) {
        // The call was cancelled or closed under us; the cancel handler cleans up.
        log.debug("watch stream for '{}' closed while sending: {}", service, e.toString());
        cancelled();
        return;
      }
      onDone.run();
      return;
    }
  }
}
