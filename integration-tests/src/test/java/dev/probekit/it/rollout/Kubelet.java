package dev.probekit.it.rollout;

import dev.probekit.it.KubeletProbe;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The kubelet's prober for one pod: a startup probe gating readiness and liveness, each with
 * periodSeconds, failureThreshold, successThreshold and a 1 s timeout, judged by 200 <= status <
 * 400 ({@link KubeletProbe}). Readiness transitions are reported to a listener (the endpoints
 * controller); a liveness failure streak that reaches its threshold is recorded as a restart the
 * kubelet would have done.
 */
final class Kubelet implements AutoCloseable {
  /** One probe's settings, as in a pod spec (periods in milliseconds so tests can run fast). */
  record Spec(String path, long periodMillis, int timeoutMillis, int failureThreshold, int successThreshold) {}

  private final Pod pod;
  private final Spec startup;
  private final Spec readiness;
  private final Spec liveness;
  private final Consumer<Boolean> readinessListener;
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean started;
  private volatile boolean ready;
  private volatile int livenessRestarts;

  Kubelet(Pod pod, Spec startup, Spec readiness, Spec liveness, Consumer<Boolean> readinessListener) {
    this.pod = pod;
    this.startup = startup;
    this.readiness = readiness;
    this.liveness = liveness;
    this.readinessListener = readinessListener;
    this.thread = new Thread(this::run, "kubelet-" + pod.name);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void run() {
    int startupOk = 0;
    int startupFailed = 0;
    int readyOk = 0;
    int readyFailed = 0;
    int liveFailed = 0;
    long nextStartup = System.nanoTime();
    long nextReady = 0;
    long nextLive = 0;
    while (running && pod.alive()) {
      long now = System.nanoTime();
      if (!started) {
        if (now >= nextStartup) {
          nextStartup = now + startup.periodMillis() * 1_000_000;
          if (probe(startup)) {
            startupFailed = 0;
            if (++startupOk >= startup.successThreshold()) {
              started = true;
              events.add("started");
              nextReady = nextLive = System.nanoTime();
            }
          } else if (++startupFailed >= startup.failureThreshold()) {
            events.add("startup probe failed " + startupFailed + " times: kubelet would restart");
            startupFailed = 0;
          }
        }
      } else {
        if (now >= nextReady) {
          nextReady = now + readiness.periodMillis() * 1_000_000;
          if (probe(readiness)) {
            readyFailed = 0;
            if (!ready && ++readyOk >= readiness.successThreshold()) {
              ready = true;
              events.add("ready");
              readinessListener.accept(true);
            }
          } else {
            readyOk = 0;
            if (ready && ++readyFailed >= readiness.failureThreshold()) {
              ready = false;
              events.add("not ready");
              readinessListener.accept(false);
            }
          }
        }
        if (now >= nextLive) {
          nextLive = now + liveness.periodMillis() * 1_000_000;
          KubeletProbe.Result r = KubeletProbe.get(pod.probePort(), liveness.path(), liveness.timeoutMillis());
          if (r.success()) {
            liveFailed = 0;
          } else if (pod.alive() && ++liveFailed >= liveness.failureThreshold()) {
            livenessRestarts++;
            events.add("liveness failed " + liveFailed + " times: kubelet would restart (" + r + ")");
            liveFailed = 0;
          }
        }
      }
      long wake = Math.min(started ? Math.min(nextReady, nextLive) : nextStartup, System.nanoTime() + 50_000_000);
      long sleep = wake - System.nanoTime();
      if (sleep > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(sleep); // the probe period, not a wait for a condition
      }
    }
    if (ready) {
      // The process is gone: its probes fail from now on.
      ready = false;
      events.add("not ready (exited)");
      readinessListener.accept(false);
    }
  }

  private boolean probe(Spec spec) {
    return KubeletProbe.get(pod.probePort(), spec.path(), spec.timeoutMillis()).success();
  }

  boolean ready() {
    return ready;
  }

  int livenessRestarts() {
    return livenessRestarts;
  }

  List<String> events() {
    return List.copyOf(events);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
  }
}
