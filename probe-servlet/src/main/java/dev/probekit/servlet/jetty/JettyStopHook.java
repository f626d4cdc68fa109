package dev.probekit.servlet.jetty;

import dev.probekit.core.internal.Arguments;
import dev.probekit.core.lifecycle.Lifecycle;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;

/**
 * Ties an embedded Jetty 12.1 {@link Server} to a {@link Lifecycle}: its connectors stop accepting
 * at the lifecycle's STOP_ACCEPTING step, and the server stops at its SHUTDOWN_TASKS step, after
 * the drain.
 *
 * <pre>{@code
 * Server server = new Server(8080);
 * ServletContextHandler context = new ServletContextHandler("/");
 * context.addServletContainerInitializer(ProbeServlets.initializer(endpoints, lifecycle));
 * server.setHandler(context);
 * JettyStopHook.register(server, lifecycle);
 * server.start();
 * }</pre>
 *
 * <p>Stopping accepting is Jetty's own connector shutdown ({@link Connector#shutdown()}): the
 * listening socket closes, so new connections are refused and go to another pod; connections
 * already open keep being served, every later response on them carries {@code Connection: close},
 * and idle ones time out after the connector's shutdown idle timeout (1 s by default).
 *
 * <p>Only this class refers to Jetty: an application on another container never loads it.
 */
public final class JettyStopHook {

  /** Default time the server may take to stop, after the drain: 5 s. */
  public static final Duration DEFAULT_STOP_TIMEOUT = Lifecycle.DEFAULT_TASK_TIMEOUT;

  private JettyStopHook() {}

  /**
   * Registers {@code server} with {@code lifecycle}, with {@link #DEFAULT_STOP_TIMEOUT}.
   *
   * @param server the server, started or not
   * @param lifecycle the lifecycle whose steps stop it
   */
  public static void register(Server server, Lifecycle lifecycle) {
    register(server, lifecycle, DEFAULT_STOP_TIMEOUT);
  }

  /**
   * Registers {@code server} with {@code lifecycle}: a stop-accepting action named {@code
   * "jetty"}, and a shutdown task of the same name that stops the server within {@code
   * stopTimeout} (capped by what is left of the grace period). The server's own graceful stop
   * timeout is lowered to half of {@code stopTimeout} if longer, so that connections still open
   * after the drain are closed in time rather than the task timing out.
   *
   * @param server the server, started or not
   * @param lifecycle the lifecycle whose steps stop it
   * @param stopTimeout the longest time stopping the server may take
   * @throws IllegalArgumentException if {@code stopTimeout} is not positive
   */
  public static void register(Server server, Lifecycle lifecycle, Duration stopTimeout) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(lifecycle, "lifecycle");
    Arguments.positive("stopTimeout", stopTimeout);
    lifecycle.onStopAccepting("jetty", () -> stopAccepting(server));
    long gracefulMillis = Math.max(1, stopTimeout.toMillis() / 2);
    lifecycle.addShutdownTask(
        "jetty",
        stopTimeout,
        () -> {
          if (server.getStopTimeout() > gracefulMillis) {
            server.setStopTimeout(gracefulMillis);
          }
          server.stop();
        });
  }

  /** Closes every connector's listening socket; connections already open stay. */
  static void stopAccepting(Server server) {
    for (Connector connector : server.getConnectors()) {
      // The future completes once the connector's last connection closes: not waited for here,
      // the drain that follows waits for the requests themselves.
      connector.shutdown();
    }
  }
}
