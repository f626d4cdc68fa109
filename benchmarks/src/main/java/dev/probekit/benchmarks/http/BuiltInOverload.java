package dev.probekit.benchmarks.http;

import com.sun.net.httpserver.HttpServer;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.server.ProbeServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * A JDK {@code HttpServer} application with a fixed pool of workers, every one busy on {@code
 * /slow} (each request sleeps {@code slowMillis}: a slow downstream call), and the built-in
 * {@link ProbeServer} on its own port and its one NIO thread, as DESIGN.md recommends. Budget: probe
 * p99 under 5 ms (issue 14).
 */
final class BuiltInOverload implements OverloadScenario {
  private final HealthRegistry health;
  private final ProbeServer probeServer;
  private final HttpServer app;
  private final ThreadPoolExecutor appWorkers;
  private final int workers;

  BuiltInOverload(int workers, long slowMillis) {
    this.workers = workers;
    health = BuiltInStack.readyHealth();
    probeServer =
        ProbeServer.builder(ProbeEndpoints.of(health))
            .port(0)
            .bindAddress(InetAddress.getLoopbackAddress())
            .start();
    appWorkers = (ThreadPoolExecutor) BuiltInStack.fixedPool(workers);
    try {
      app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    app.setExecutor(appWorkers);
    app.createContext(
        "/slow",
        exchange -> {
          SlowWork.sleep(slowMillis);
          BuiltInStack.answerOk(exchange);
        });
    app.createContext("/ok", BuiltInStack::answerOk);
    app.start();
  }

  @Override
  public String name() {
    return "built-in ProbeServer beside a saturated JDK httpserver app";
  }

  @Override
  public double budgetMillis() {
    return 5;
  }

  @Override
  public int workers() {
    return workers;
  }

  @Override
  public InetSocketAddress slowAddress() {
    return app.getAddress();
  }

  @Override
  public InetSocketAddress probeAddress() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), probeServer.port());
  }

  @Override
  public InetSocketAddress appOkAddress() {
    return app.getAddress();
  }

  @Override
  public boolean allWorkersBusy() {
    return appWorkers.getActiveCount() >= workers;
  }

  @Override
  public void close() {
    probeServer.close();
    app.stop(0);
    appWorkers.shutdownNow();
    health.close();
  }
}
