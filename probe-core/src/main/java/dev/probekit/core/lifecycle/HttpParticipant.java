package dev.probekit.core.lifecycle;

import java.time.Duration;
import java.util.Objects;

/**
 * The HTTP requests of an {@link InflightTracker} as a drain participant. Its servers stop
 * accepting through {@link Lifecycle#onStopAccepting}, so {@link #stopAccepting()} does nothing.
 */
final class HttpParticipant implements DrainParticipant, Counted {
  private final InflightTracker tracker;

  HttpParticipant(InflightTracker tracker) {
    this.tracker = Objects.requireNonNull(tracker, "tracker");
  }

  @Override
  public String name() {
    return HTTP;
  }

  @Override
  public void stopAccepting() {
    // The servers' own stop-accepting actions close their listeners.
  }

  @Override
  public long inFlight() {
    return tracker.current();
  }

  @Override
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return tracker.awaitZero(timeout);
  }

  @Override
  public long finished() {
    return tracker.finished();
  }

  @Override
  public String toString() {
    return "HttpParticipant{" + tracker + '}';
  }
}
