package dev.probekit.servlet.tomcat;

import dev.probekit.core.internal.Arguments;
import dev.probekit.core.lifecycle.Lifecycle;
import java.time.Duration;
import java.util.Objects;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * Ties an embedded Tomcat 11 to a {@link Lifecycle}: its connectors close their listening sockets
 * at the lifecycle's STOP_ACCEPTING step, and Tomcat stops (and is destroyed) at its
 * SHUTDOWN_TASKS step, after the drain.
 *
 * <pre>{@code
 * Tomcat tomcat = new Tomcat();
 * tomcat.setPort(8080);
 * tomcat.getConnector();
 * Context context = tomcat.addContext("", null);
 * context.addServletContainerInitializer(ProbeServlets.initializer(endpoints, lifecycle), null);
 * TomcatStopHook.register(tomcat, lifecycle); // before start()
 * tomcat.start();
 * }</pre>
 *
 * <p>Stopping accepting is Tomcat's graceful server-socket close: new connections are refused and
 * go to another pod, while connections already open keep being served with keep-alive off, so
 * every later response on them carries {@code Connection: close}. Connectors are not paused: a
 * paused Tomcat answers requests that arrive on open keep-alive connections with 503.
 *
 * <p>Tomcat can close a listening socket early only if it bound it on start rather than on init,
 * so {@link #register} sets {@code bindOnInit=false} on the connectors and must run before {@code
 * tomcat.start()}. Only this class refers to Tomcat: an application on another container never
 * loads it.
 */
public final class TomcatStopHook {

  /** Default time Tomcat may take to stop, after the drain: 5 s. */
  public static final Duration DEFAULT_STOP_TIMEOUT = Lifecycle.DEFAULT_TASK_TIMEOUT;

  private TomcatStopHook() {}

  /**
   * Registers {@code tomcat} with {@code lifecycle}, with {@link #DEFAULT_STOP_TIMEOUT}.
   *
   * @param tomcat the embedded Tomcat, not started yet
   * @param lifecycle the lifecycle whose steps stop it
   * @throws IllegalStateException if Tomcat has been started (or initialized) already
   */
  public static void register(Tomcat tomcat, Lifecycle lifecycle) {
    register(tomcat, lifecycle, DEFAULT_STOP_TIMEOUT);
  }

  /**
   * Registers {@code tomcat} with {@code lifecycle}: a stop-accepting action named {@code
   * "tomcat"}, and a shutdown task of the same name that stops and destroys Tomcat within {@code
   * stopTimeout} (capped by what is left of the grace period). Connectors added after this call
   * and before start are covered too.
   *
   * @param tomcat the embedded Tomcat, not started yet
   * @param lifecycle the lifecycle whose steps stop it
   * @param stopTimeout the longest time stopping Tomcat may take
   * @throws IllegalStateException if Tomcat has been started (or initialized) already
   * @throws IllegalArgumentException if {@code stopTimeout} is not positive
   */
  public static void register(Tomcat tomcat, Lifecycle lifecycle, Duration stopTimeout) {
    Objects.requireNonNull(tomcat, "tomcat");
    Objects.requireNonNull(lifecycle, "lifecycle");
    Arguments.positive("stopTimeout", stopTimeout);
    org.apache.catalina.Server server = tomcat.getServer();
    if (server.getState() != LifecycleState.NEW) {
      throw new IllegalStateException(
          "register before tomcat.start(): Tomcat is " + server.getState()
              + " and its connectors may have bound with bindOnInit, which cannot close early");
    }
    Service service = tomcat.getService();
    bindOnStart(service);
    // Connectors are often created after this call (tomcat.getConnector() is lazy): repeat just
    // before Tomcat initializes them.
    server.addLifecycleListener(
        event -> {
          if (org.apache.catalina.Lifecycle.BEFORE_INIT_EVENT.equals(event.getType())) {
            bindOnStart(service);
          }
        });
    lifecycle.onStopAccepting("tomcat", () -> stopAccepting(service));
    lifecycle.addShutdownTask(
        "tomcat",
        stopTimeout,
        () -> {
          tomcat.stop();
          tomcat.destroy();
        });
  }

  private static void bindOnStart(Service service) {
    for (Connector connector : service.findConnectors()) {
      connector.setProperty("bindOnInit", "false");
    }
  }

  /** Closes every connector's listening socket; connections already open stay. */
  static void stopAccepting(Service service) {
    for (Connector connector : service.findConnectors()) {
      connector.getProtocolHandler().closeServerSocketGraceful();
    }
  }
}
