package dev.probekit.servlet;

import dev.probekit.core.ProbeResponse;
import dev.probekit.core.ProbeWatch;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-poll parked in servlet async mode: no container thread waits. A status change (or the
 * drain's start) hands a look-again to the container's pool ({@link AsyncContext#start}); the
 * container's async timeout, set to the watch's wait, answers {@link ProbeWatch#answer()} (a 304,
 * or the new status). Answered exactly once; the watch is cancelled however the request ends.
 */
final class AsyncWatch implements AsyncListener {
  private static final Logger log = LoggerFactory.getLogger(AsyncWatch.class);

  private final AsyncContext async;
  private final ProbeWatch watch;
  private final BooleanSupplier closeConnections;
  private final AtomicBoolean answered = new AtomicBoolean();

  private AsyncWatch(AsyncContext async, ProbeWatch watch, BooleanSupplier closeConnections) {
    this.async = async;
    this.watch = watch;
    this.closeConnections = closeConnections;
  }

  static void park(HttpServletRequest request, ProbeWatch watch, BooleanSupplier closeConnections) {
    AsyncContext async = request.startAsync();
    async.setTimeout(Math.max(1, watch.timeout().toMillis()));
    AsyncWatch parked = new AsyncWatch(async, watch, closeConnections);
    async.addListener(parked);
    watch.subscribe(parked::wake);
    // A change between watch() and subscribe() would otherwise go unseen until the next one.
    parked.wake();
  }

  /** Runs on the thread that changed a status: only hands over to the container. */
  private void wake() {
    if (answered.get()) {
      return;
    }
    try {
      async.start(this::lookAgain);
    } catch (RuntimeException e) {
      // The request ended meanwhile (timed out, peer gone): nothing to answer.
      log.debug("long-poll already over: {}", e.toString());
    }
  }

  private void lookAgain() {
    if (answered.get()) {
      return;
    }
    ProbeResponse answer = watch.poll(closeConnections.getAsBoolean());
    if (answer != null) {
      finish(answer);
    }
  }

  private void finish(ProbeResponse answer) {
    if (!answered.compareAndSet(false, true)) {
      return;
    }
    watch.cancel();
    try {
      ProbeServlet.write(
          answer, (HttpServletResponse) async.getResponse(), closeConnections.getAsBoolean());
    } catch (IOException | RuntimeException e) {
      log.debug("long-poll answer not written: {}", e.toString());
    } finally {
      try {
        async.complete();
      } catch (RuntimeException e) {
        log.debug("long-poll already completed: {}", e.toString());
      }
    }
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    finish(watch.answer());
  }

  @Override
  public void onError(AsyncEvent event) {
    answered.set(true);
    watch.cancel();
  }

  @Override
  public void onComplete(AsyncEvent event) {
    watch.cancel();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // Not re-dispatched.
  }
}
