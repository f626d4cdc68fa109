package dev.probekit.core.lifecycle;

import dev.probekit.core.internal.Durations;
import dev.probekit.core.internal.Failures;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long-lived streams (server-sent events, long polls, WebSockets) as one drain participant. A
 * stream {@linkplain #open(Runnable) registers} how to end it (send a last event and close, answer
 * the long poll, send a WebSocket close frame) and closes its registration when it has ended. At
 * stop-accepting every open stream is told to end and new ones are refused; the streams then get
 * their own {@linkplain #of(String, Duration) budget} (default {@link #DEFAULT_BUDGET}), never the
 * whole drain timeout: a client that does not hang up is counted as abandoned at that budget
 * instead of holding the drain.
 *
 * <pre>{@code
 * StreamRegistry streams = lifecycle.addDrainParticipant(StreamRegistry.of("sse"));
 * StreamRegistry.Stream stream = streams.open(() -> emitter.complete()); // throws once draining
 * // ... when the client is gone or the stream completed:
 * stream.close();
 * }</pre>
 *
 * <p>Thread-safe. An end action that throws (any {@link Throwable}) is logged at WARN; the stream
 * then counts as open until its registration is closed.
 */
public final class StreamRegistry implements DrainParticipant, Counted {
  private static final Logger log = LoggerFactory.getLogger(StreamRegistry.class);

  /** Default budget of the streams after stop-accepting: 2 s. */
  public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(2);

  private final String name;
  private final Duration budget;
  private final Set<Stream> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong ended = new AtomicLong();
  private volatile boolean stopping;

  private StreamRegistry(String name, Duration budget) {
    this.name = name;
    this.budget = budget;
  }

  /**
   * A registry with {@link #DEFAULT_BUDGET}.
   *
   * @param name for logs, the summary and metrics
   * @return the registry
   */
  public static StreamRegistry of(String name) {
    return of(name, DEFAULT_BUDGET);
  }

  /**
   * A registry whose streams get {@code budget} to end after stop-accepting.
   *
   * @param name for logs, the summary and metrics
   * @param budget how long the streams may take to end, at most the drain's remaining time
   * @return the registry
   */
  public static StreamRegistry of(String name, Duration budget) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(budget, "budget");
    if (budget.isNegative()) {
      throw new IllegalArgumentException("budget: " + budget + " (expected: >= 0)");
    }
    return new StreamRegistry(name, budget);
  }

  /**
   * Registers an open stream.
   *
   * @param end ends the stream; called at most once, at stop-accepting; should not block
   * @return the registration: close it when the stream has ended, whatever ended it
   * @throws IllegalStateException once the drain has stopped accepting: refuse the stream (a 503)
   */
  public Stream open(Runnable end) {
    Objects.requireNonNull(end, "end");
    if (stopping) {
      throw new IllegalStateException(name + ": draining, no new streams");
    }
    Stream stream = new Stream(end);
    open.add(stream);
    if (stopping) {
      // Raced with stop-accepting, which may have missed it: end it here.
      stream.end();
    }
    return stream;
  }

  /** {@return whether new streams are refused} */
  public boolean isStopping() {
    return stopping;
  }

  @Override
  public String name() {
    return name;
  }

  /** Refuses new streams and tells every open stream to end. */
  @Override
  public void stopAccepting() {
    stopping = true;
    for (Stream stream : open) {
      stream.end();
    }
  }

  /** Streams open now. */
  @Override
  public long inFlight() {
    return open.size();
  }

  /** Waits until every stream has closed, within the smaller of {@code timeout} and the budget. */
  @Override
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    Duration wait = timeout.compareTo(budget) < 0 ? timeout : budget;
    long deadline = System.nanoTime() + wait.toNanos();
    while (!open.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        log.warn(
            "streams '{}': {} stream(s) still open after their budget of {}: abandoned",
            name,
            open.size(),
            Durations.format(wait));
        return false;
      }
      LockSupport.parkNanos(Math.min(left, 5_000_000L));
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while awaiting streams");
      }
    }
    return true;
  }

  /** {@return streams whose registration was closed since creation} */
  public long closed() {
    return ended.get();
  }

  /** The same as {@link #closed()}: streams that ended count as drained. */
  @Override
  public long finished() {
    return ended.get();
  }

  @Override
  public String toString() {
    return "StreamRegistry{" + name + ", open=" + open.size() + (stopping ? ", stopping" : "") + '}';
  }

  /** One open stream's registration; close it when the stream has ended. Idempotent. */
  public final class Stream implements AutoCloseable {
    private final Runnable end;
    private final AtomicBoolean endCalled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private Stream(Runnable end) {
      this.end = end;
    }

    void end() {
      if (!endCalled.compareAndSet(false, true) || closed.get()) {
        return;
      }
      try {
        end.run();
      } catch (Throwable t) {
        try {
          log.warn("streams '{}': ending a stream threw {}", name, Failures.describeBriefly(t), Failures.loggable(t));
        } catch (Throwable ignored) {
          // A broken logger must not stop the other streams from being told.
        }
      }
    }

    /** Marks the stream as ended; call once it has, whatever ended it. */
    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        open.remove(this);
        ended.incrementAndGet();
      }
    }
  }
}
