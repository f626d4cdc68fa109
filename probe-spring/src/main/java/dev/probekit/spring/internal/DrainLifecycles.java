package dev.probekit.spring.internal;

import dev.probekit.core.lifecycle.Lifecycle;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.context.SmartLifecycle;

/**
 * Maps Probekit's drain sequence onto Spring's {@link SmartLifecycle} phases. On context close,
 * Spring stops lifecycles from the highest phase down, each phase bounded by {@code
 * spring.lifecycle.timeout-per-shutdown-phase}:
 *
 * <pre>
 *  phase                      what runs
 *  (event)     ContextClosed  task executors/schedulers that joined the drain keep accepting
 *  MAX - 512   (PreStop)      Probekit: readiness DOWN, pre-stop delay (still serving)
 *  MAX - 1024  (Boot)         web server graceful shutdown: stop accepting, await requests
 *              (Drain)        Probekit, side by side: stop-accepting hooks; every drain
 *                             participant (HTTP requests, the same ones Boot awaits, so the
 *                             summary counts them; task executors/schedulers; consumers; streams)
 *                             stops accepting and drains in parallel; then shutdown tasks (last
 *                             registered first)
 *  MAX - 2048  (Boot)         web server stop
 *  ...                        the application's own lifecycles, then bean destruction
 * </pre>
 *
 * The drain shares the graceful shutdown's phase rather than following it: a step after it would
 * find the tracker already empty and report {@code requests drained=0} for requests that Boot had
 * just waited for. Spring stops the members of one phase together and waits for both.
 */
public final class DrainLifecycles {

  /** Above the web server's graceful shutdown phase (Integer.MAX_VALUE - 1024). */
  public static final int PRE_STOP_PHASE = Integer.MAX_VALUE - 512;

  /** The web server's graceful shutdown phase (Integer.MAX_VALUE - 1024), before its stop. */
  public static final int DRAIN_PHASE = Integer.MAX_VALUE - 1024;

  private DrainLifecycles() {}

  /** Readiness DOWN and the pre-stop delay, before the web server stops accepting. */
  public static SmartLifecycle preStop(Lifecycle lifecycle) {
    return new Step(lifecycle, PRE_STOP_PHASE, "probekit-pre-stop", false);
  }

  /** Drain and shutdown tasks, after the web server's graceful shutdown. */
  public static SmartLifecycle drain(Lifecycle lifecycle) {
    return new Step(lifecycle, DRAIN_PHASE, "probekit-drain", true);
  }

  private static final class Step implements SmartLifecycle {
    private final Lifecycle lifecycle;
    private final int phase;
    private final String threadName;
    private final boolean shutdown;
    private final AtomicBoolean running = new AtomicBoolean();

    Step(Lifecycle lifecycle, int phase, String threadName, boolean shutdown) {
      this.lifecycle = lifecycle;
      this.phase = phase;
      this.threadName = threadName;
      this.shutdown = shutdown;
    }

    @Override
    public void start() {
      running.set(true);
    }

    @Override
    public void stop() {
      run();
    }

    @Override
    public void stop(Runnable callback) {
      if (!running.compareAndSet(true, false)) {
        callback.run();
        return;
      }
      // Asynchronous, so that Spring's per-phase timeout bounds the step even if it overruns.
      Thread t =
          new Thread(
              () -> {
                try {
                  run();
                } finally {
                  callback.run();
                }
              },
              threadName);
      t.setDaemon(true);
      t.start();
    }

    private void run() {
      running.set(false);
      if (shutdown) {
        lifecycle.shutdown();
      } else {
        lifecycle.preStop();
      }
    }

    @Override
    public boolean isRunning() {
      return running.get();
    }

    @Override
    public int getPhase() {
      return phase;
    }

    @Override
    public String toString() {
      return threadName + "@" + phase;
    }
  }
}
