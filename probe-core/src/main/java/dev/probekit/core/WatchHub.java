package dev.probekit.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where parked long-poll watchers of one {@link ProbeEndpoints} wait to be woken: one probe
 * listener and one health listener on the {@link HealthRegistry}, however many watchers there are. A wake
 * only tells each watcher's adapter to look again ({@link ProbeWatch#poll(boolean)}); nothing is
 * rendered here, because listeners run under the health's lock.
 */
final class WatchHub {
  private static final Logger log = LoggerFactory.getLogger(WatchHub.class);

  private final Set<Runnable> watchers = ConcurrentHashMap.newKeySet();

  private WatchHub() {}

  static WatchHub listenTo(HealthRegistry health) {
    WatchHub hub = new WatchHub();
    health.addProbeListener((previous, current) -> hub.wake());
    // A single check's answer can change while its probe's does not (another check still fails).
    health.addListener((check, previous, current) -> hub.wake());
    return hub;
  }

  void add(Runnable watcher) {
    watchers.add(watcher);
  }

  void remove(Runnable watcher) {
    watchers.remove(watcher);
  }

  int size() {
    return watchers.size();
  }

  /** Runs every watcher's wake-up; one that throws is logged and does not stop the others. */
  void wake() {
    for (Runnable watcher : watchers) {
      try {
        watcher.run();
      } catch (RuntimeException e) {
        log.warn("long-poll watcher failed to wake", e);
      }
    }
  }
}
