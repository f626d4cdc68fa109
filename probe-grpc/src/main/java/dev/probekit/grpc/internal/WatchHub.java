package dev.probekit.grpc.internal;

import dev.probekit.core.CheckState;
import dev.probekit.core.HealthListener;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeListener;
import dev.probekit.core.ProbeSnapshot;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open {@code Watch} calls of one health service, grouped by service name, and the registry
 * listeners that fan status changes out to them.
 *
 * <p>Listeners run under the registry's lock: they compute the new status once per service and
 * {@linkplain WatchStream#offer offer} it to each watcher, which queues it and hands the sending
 * to the executor. No I/O and no wait happens on the registry's lock or on a transport thread.
 */
public final class WatchHub implements ProbeListener, HealthListener {

  /**
   * Bytes grpc-java may hold for one watcher before it is no longer ready: a few dozen statuses
   * (7 bytes each on the wire) instead of the default 32 KiB, so a thousand watchers that never
   * read hold a few hundred KiB, not 32 MiB.
   */
  static final int READY_THRESHOLD = 256;

  private final HealthRegistry health;
  private final Executor executor;
  private final int maxWatchers;
  private final Map<String, Set<WatchStream>> streams = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();
  private volatile boolean closed;

  /**
   * A hub over {@code health}; call {@link #attach()} to start listening.
   *
   * @param health the registry
   * @param executor where watchers are written to
   * @param maxWatchers open watchers allowed at once; more are refused with RESOURCE_EXHAUSTED
   */
  public WatchHub(HealthRegistry health, Executor executor, int maxWatchers) {
    this.health = health;
    this.executor = executor;
    this.maxWatchers = maxWatchers;
  }

  /** Registers the listeners on the registry. */
  public void attach() {
    health.addProbeListener(this);
    health.addListener(this);
  }

  /** Removes the listeners from the registry. */
  public void detach() {
    health.removeProbeListener(this);
    health.removeListener(this);
  }

  /** Open watchers. */
  public int watchers() {
    return count.get();
  }

  /** Statuses queued for all watchers and not yet sent. */
  public long pending() {
    long n = 0;
    for (Set<WatchStream> set : streams.values()) {
      for (WatchStream s : set) {
        n += s.pending();
      }
    }
    return n;
  }

  /**
   * Serves one {@code Watch} call: the current status at once, then every change, until the
   * client cancels or {@link #completeAll()}.
   */
  public void watch(String service, StreamObserver<HealthCheckResponse> observer) {
    ServerCallStreamObserver<HealthCheckResponse> out =
        (ServerCallStreamObserver<HealthCheckResponse>) observer;
    if (closed) {
      out.onNext(ServingStatuses.response(ServingStatus.NOT_SERVING));
      out.onCompleted();
      return;
    }
    if (count.incrementAndGet() > maxWatchers) {
      count.decrementAndGet();
      out.onError(
          Status.RESOURCE_EXHAUSTED.withDescription("too many health watchers").asException());
      return;
    }
    WatchStream[] self = new WatchStream[1];
    AtomicInteger removed = new AtomicInteger();
    Runnable onDone =
        () -> {
          if (removed.getAndIncrement() == 0) {
            // Empty sets go, so watchers of made-up names leave nothing behind.
            streams.computeIfPresent(
                service,
                (k, set) -> {
                  set.remove(self[0]);
                  return set.isEmpty() ? null : set;
                });
            count.decrementAndGet();
          }
        };
    WatchStream stream = new WatchStream(service, out, executor, onDone);
    self[0] = stream;
    out.setOnReadyThreshold(READY_THRESHOLD);
    out.setOnCancelHandler(stream::cancelled);
    out.setOnReadyHandler(stream::onReady);
    // Registered before the first read, so a change in between is queued, not missed.
    streams.compute(
        service,
        (k, set) -> {
          Set<WatchStream> s = set != null ? set : ConcurrentHashMap.newKeySet();
          s.add(stream);
          return s;
        });
    if (closed) {
      stream.complete(ServingStatus.NOT_SERVING);
      return;
    }
    stream.start(ServingStatuses.current(health, service));
  }

  /**
   * Sends every open watcher its final status, NOT_SERVING (as grpc-java's {@code
   * HealthStatusManager.enterTerminalState()} does: this server takes no new calls), and completes
   * it. Watch calls that arrive later get the same and are completed at once. Idempotent.
   */
  public void completeAll() {
    closed = true;
    for (Set<WatchStream> set : streams.values()) {
      for (WatchStream s : set) {
        s.complete(ServingStatus.NOT_SERVING);
      }
    }
  }

  /** Whether {@link #completeAll()} was called. */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void onProbeChange(ProbeSnapshot previous, ProbeSnapshot current) {
    Probe probe = current.probe().orElse(null);
    if (probe == null) {
      return;
    }
    publish(probe.displayName(), ServingStatuses.of(current.isUp()));
    publish(ServingStatuses.OVERALL, ServingStatuses.overall(health));
  }

  @Override
  public void onTransition(String check, CheckState previous, CheckState current) {
    if (ServingStatuses.probe(check) == null) {
      publish(check, ServingStatuses.of(current));
    }
  }

  @Override
  public void onRegistered(CheckState initial) {
    if (ServingStatuses.probe(initial.name()) == null) {
      publish(initial.name(), ServingStatuses.of(initial));
    }
  }

  @Override
  public void onUnregistered(CheckState last) {
    if (ServingStatuses.probe(last.name()) == null) {
      publish(last.name(), ServingStatus.SERVICE_UNKNOWN);
    }
  }

  private void publish(String service, ServingStatus status) {
    Set<WatchStream> set = streams.get(service);
    if (set == null) {
      return;
    }
    for (WatchStream s : set) {
      s.offer(status);
    }
  }
}
