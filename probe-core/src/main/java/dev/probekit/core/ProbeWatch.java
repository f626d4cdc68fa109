package dev.probekit.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One parked long-poll request, from {@link ProbeEndpoints#watch(ProbeRequest)}: the client holds
 * the answer whose {@code ETag} its {@code If-None-Match} names and asked, with {@code Prefer:
 * wait=N}, to be answered when that changes. Core decides; adapters only park and resume:
 *
 * <pre>{@code
 * ProbeWatch watch = draining ? null : endpoints.watch(request);
 * if (watch == null) { write(endpoints.handle(request)); return; }
 * watch.subscribe(() -> onMyEventLoop(() -> {          // called on any status change
 *   ProbeResponse answer = watch.poll(draining());     // null: nothing changed, keep waiting
 *   if (answer != null) { watch.cancel(); write(answer); }
 * }));
 * schedule(watch.timeoutNanos(), () -> { watch.cancel(); write(watch.answer()); }); // 304 or new
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class ProbeWatch {

  /** The longest wait a client may ask for: 60 seconds; longer requests wait this long. */
  public static final Duration MAX_WAIT = Duration.ofSeconds(60);

  private final ProbeEndpoints endpoints;
  private final ProbeRequest request;
  private final long timeoutNanos;
  private volatile Runnable subscriber;

  ProbeWatch(ProbeEndpoints endpoints, ProbeRequest request, long timeoutNanos) {
    this.endpoints = endpoints;
    this.request = request;
    this.timeoutNanos = timeoutNanos;
  }

  /**
   * How long to wait at most, as the client asked, capped at {@link #MAX_WAIT}.
   *
   * @return the wait in nanoseconds, positive
   */
  public long timeoutNanos() {
    return timeoutNanos;
  }

  /**
   * {@link #timeoutNanos()} as a duration.
   *
   * @return the wait
   */
  public Duration timeout() {
    return Duration.ofNanos(timeoutNanos);
  }

  /**
   * Calls {@code onChange} whenever a probe or check changes status (and on {@link
   * ProbeEndpoints#wakeWatchers()}), until {@link #cancel()}. It runs on the thread that changed
   * the status, under the health's lock: it must only hand over to the adapter's own thread (an
   * event loop, a selector, a container's pool), which then calls {@link #poll(boolean)}.
   *
   * @param onChange the wake-up; a watch has at most one
   */
  public void subscribe(Runnable onChange) {
    Objects.requireNonNull(onChange, "onChange");
    Runnable previous = subscriber;
    WatchHub hub = endpoints.hub();
    if (previous != null) {
      hub.remove(previous);
    }
    subscriber = onChange;
    hub.add(onChange);
  }

  /** Stops the wake-ups; idempotent. Call once the request is answered or its connection gone. */
  public void cancel() {
    Runnable current = subscriber;
    if (current != null) {
      subscriber = null;
      endpoints.hub().remove(current);
    }
  }

  /**
   * The answer to send now, or {@code null} to keep waiting: the current answer once its status
   * no longer matches the client's {@code If-None-Match}; with {@code release} (the service has
   * started to drain: watchers are long-lived streams, released at drain start) the current answer
   * whatever it is, a 304 if nothing changed.
   *
   * @param release whether to answer even if nothing changed
   * @return the answer, or {@code null} to keep waiting
   */
  public ProbeResponse poll(boolean release) {
    ProbeResponse answer = endpoints.handle(request);
    return release || answer.status() != 304 ? answer : null;
  }

  /**
   * The answer now: the new status, or a 304 if it still matches; for when the wait is over.
   *
   * @return the answer, never {@code null}
   */
  public ProbeResponse answer() {
    return endpoints.handle(request);
  }

  /**
   * The wait a {@code Prefer} header asks for (RFC 7240 {@code wait=N}, N in seconds, among other
   * preferences), capped at {@link #MAX_WAIT}; 0 for none, for a malformed one or for 0.
   */
  static long requestedWaitNanos(String prefer) {
    if (prefer == null) {
      return 0;
    }
    int n = prefer.length();
    int i = 0;
    while (i < n) {
      // At the start of a preference or a parameter: skip spaces.
      while (i < n && (prefer.charAt(i) == ' ' || prefer.charAt(i) == '\t')) {
        i++;
      }
      if (prefer.regionMatches(true, i, "wait", 0, 4)) {
        int j = i + 4;
        while (j < n && prefer.charAt(j) == ' ') {
          j++;
        }
        if (j < n && prefer.charAt(j) == '=') {
          j++;
          while (j < n && prefer.charAt(j) == ' ') {
            j++;
          }
          boolean quoted = j < n && prefer.charAt(j) == '"';
          if (quoted) {
            j++;
          }
          long seconds = 0;
          int digits = 0;
          while (j < n && prefer.charAt(j) >= '0' && prefer.charAt(j) <= '9') {
            // Saturate rather than overflow: a huge wait is simply the cap.
            seconds = Math.min(seconds * 10 + (prefer.charAt(j) - '0'), MAX_WAIT.toSeconds() + 1);
            digits++;
            j++;
          }
          if (quoted && j < n && prefer.charAt(j) == '"') {
            j++;
          }
          boolean ended = j == n || prefer.charAt(j) == ',' || prefer.charAt(j) == ';'
              || prefer.charAt(j) == ' ';
          if (digits > 0 && ended) {
            return TimeUnit.SECONDS.toNanos(Math.min(seconds, MAX_WAIT.toSeconds()));
          }
          return 0;
        }
      }
      while (i < n && prefer.charAt(i) != ',' && prefer.charAt(i) != ';') {
        i++;
      }
      i++;
    }
    return 0;
  }

  @Override
  public String toString() {
    // Never the query or headers: they may carry tokens.
    return "ProbeWatch{" + request.rawPath() + ", " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
        + " ms}";
  }
}
